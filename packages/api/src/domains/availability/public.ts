/**
 * What other domains may use of availability: the wall-clock formats, and what slot generation
 * reads of a doctor's weekly hours and dated exceptions.
 */
export { type DatedHours, readHours, type WeeklyHours } from "./hours.service.ts";
export { addDays, localDateIn, minutesOf, wallTimeOf, ZLocalDate, ZWallTime } from "./wall-time.ts";
