import { runAccessTable } from "#testing/access-runner.ts";
import { accessTable } from "./calendar.access.cases.ts";

runAccessTable(accessTable);
