import type { BareRoute } from "../scenario.ts";

export interface Match {
  readonly route: BareRoute;
  readonly params: Record<string, string>;
}

/** Exact segments and `:name` placeholders; enough for REST paths, with no dependency to measure. */
export function createRouter(routes: readonly BareRoute[]): (pathname: string) => Match | undefined {
  const compiled = routes.map((route) => ({ route, segments: route.path.split("/") }));
  return (pathname) => {
    const parts = pathname.split("/");
    for (const { route, segments } of compiled) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matches = segments.every((segment, i) => {
        const part = parts[i] ?? "";
        if (!segment.startsWith(":")) return segment === part;
        params[segment.slice(1)] = decodeURIComponent(part);
        return part.length > 0;
      });
      if (matches) return { route, params };
    }
    return undefined;
  };
}
