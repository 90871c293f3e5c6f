import { z } from "zod";
import { ZMoney, ZMoneyAmount } from "#platform/fields/money.ts";

/**
 * The zone of the clinic's calendar (API-CONTRACT §4's default zone): "today" for a bill issued or
 * paid without a date.
 */
export const CLINIC_TIME_ZONE = "Africa/Algiers";

/** The latest calendar date anywhere (UTC+14), so nobody's "today" is refused as the future. */
const latestDateToday = () => new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10);

/** A calendar date `YYYY-MM-DD` in the years PostgreSQL's `date` and the clinic agree on. */
export const ZCalendarDate = z.iso
  .date()
  .refine((date) => date >= "1900-01-01", "Expected a date from 1900-01-01 on")
  .meta({ description: "A calendar date `YYYY-MM-DD`" });

/** A date that has come: an issue or payment date. */
export const ZPastDate = ZCalendarDate.refine(
  (date) => date <= latestDateToday(),
  "Expected a date that is not in the future",
);

/** An amount billed or claimed: at least one minor unit, with its currency (DZD by default). */
export const ZBilledMoney = ZMoney.extend({
  amountMinor: ZMoneyAmount.min(1).meta({
    description: "Minor units, at least 1: centimes of DZD (300000 is 3,000.00 DZD)",
  }),
});

/** `floor(amountMinor × percent / 100)`: what a policy covers of an entry, in whole minor units. */
export function coveredShare(amountMinor: number, percent: number): number {
  return Math.floor((amountMinor * percent) / 100);
}
