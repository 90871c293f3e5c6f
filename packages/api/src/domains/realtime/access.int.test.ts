import { runAccessTable } from "#testing/access-runner.ts";
import { accessTable } from "./access.cases.ts";

runAccessTable(accessTable);
