/** What other domains may use of the audit domain: the access log's section of a patient's data export. */
export { accessLogExportPart } from "./export-part.ts";
