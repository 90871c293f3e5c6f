import type { ExceptionInput, RuleInput } from "@medical/api";

/** ISO weekdays of the Algerian working week, Sunday to Thursday (Friday and Saturday are the weekend). */
const SUNDAY = 7;
const WORKING_WEEK = [SUNDAY, 1, 2, 3, 4];
const FRIDAY = 5;
const SATURDAY = 6;

/** A dated exception, `inDays` days after the seed runs (in the doctor's zone), lasting `days` days. */
export interface DemoException extends Omit<ExceptionInput, "startDate" | "endDate"> {
  inDays: number | "nextFriday";
  days: number;
}

export interface DemoAvailability {
  weekly: RuleInput[];
  exceptions: DemoException[];
}

const hours = (weekdays: number[], startTime: string, endTime: string, extra: Partial<RuleInput> = {}) =>
  weekdays.map((weekday) => ({ weekday, startTime, endTime, ...extra }));

/**
 * A demo doctor's hours, a function of their number alone (no draw from the demo's random stream,
 * so adding hours changed no generated person): most work Sunday to Thursday 09:00–12:00 and
 * 13:00–17:00 in slots of their appointment length; some mornings only with Saturday too, some
 * afternoons and evenings, some a shorter week with Saturday hours paused. The first doctor (the
 * README's sign-in) has extra hours next Friday and a few days off in two weeks; a few others an
 * afternoon off.
 */
export function demoAvailability(index: number): DemoAvailability {
  let weekly: RuleInput[];
  switch (index % 6) {
    case 2:
      weekly = [...hours(WORKING_WEEK, "08:00", "13:00"), ...hours([SATURDAY], "09:00", "12:00")];
      break;
    case 4:
      weekly = hours(WORKING_WEEK, "14:00", "19:00", { slotMinutes: 30 });
      break;
    case 5:
      weekly = [
        ...hours([SUNDAY, 2, 4], "09:00", "12:00"),
        ...hours([SUNDAY, 2, 4], "13:00", "17:00"),
        ...hours([1, 3], "09:00", "12:30"),
        ...hours([SATURDAY], "09:00", "12:00", { isActive: false }),
      ];
      break;
    default:
      weekly = [...hours(WORKING_WEEK, "09:00", "12:00"), ...hours(WORKING_WEEK, "13:00", "17:00")];
  }
  const exceptions: DemoException[] = [];
  if (index === 0) {
    exceptions.push(
      { kind: "EXTRA_HOURS", inDays: "nextFriday", days: 1, startTime: "09:00", endTime: "12:00" },
      { kind: "TIME_OFF", inDays: 14, days: 3 },
    );
  } else if (index % 5 === 3) {
    exceptions.push({ kind: "TIME_OFF", inDays: 3, days: 1, startTime: "13:00", endTime: "17:00" });
  }
  return { weekly, exceptions };
}

/** Days from `today` (`YYYY-MM-DD`) to the next Friday after it. */
export function daysToNextFriday(today: string): number {
  const isoWeekday = ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  return ((FRIDAY - isoWeekday + 6) % 7) + 1;
}
