import type { AppRouter as ServerRouter } from "@medical/api";
import type { ClientRouter } from "./client-router.ts";

/**
 * The server's router as a client sees it. In the published package this file's declarations
 * are the router written out in full (build/app-router.ts), so they need no server package.
 */
export type AppRouter = ClientRouter<ServerRouter>;
