/** What other domains may use of reviews: their section of a patient's data export. */
export { reviewsExportPart } from "./export-part.ts";
