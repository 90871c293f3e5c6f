/** A validation problem as clients see it: where, and what is wrong. */
export interface InputIssue {
  path: (string | number)[];
  message: string;
}

interface IssueLike {
  path?: readonly PropertyKey[];
  message: string;
}

export function toInputIssues(issues: readonly IssueLike[]): InputIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).filter((key): key is string | number => typeof key !== "symbol"),
    message: issue.message,
  }));
}

/** "Invalid input: email: Invalid email address; password: Too small" */
export function describeIssues(issues: readonly InputIssue[]): string {
  const parts = issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : "";
  return `Invalid input: ${parts.join("; ")}${more}`;
}
