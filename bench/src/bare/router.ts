import type { BareRoute, Method } from "../scenario.ts";

export interface Match {
  readonly route: BareRoute;
  readonly params: Record<string, string>;
}

/** Method, exact segments and `:name` placeholders; enough for REST paths, with no dependency to measure. */
export function createRouter(
  routes: readonly BareRoute[],
): (pathname: string, method?: Method) => Match | undefined {
  const compiled = routes.map((route) => ({ route, segments: route.path.split("/") }));
  return (pathname, method = "GET") => {
    const parts = pathname.split("/");
    for (const { route, segments } of compiled) {
      if ((route.method ?? "GET") !== method || segments.length !== parts.length) continue;
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
