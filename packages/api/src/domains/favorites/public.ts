/** What other domains may use of favourites: their section of a patient's data export. */
export { favoritesExportPart } from "./export-part.ts";
