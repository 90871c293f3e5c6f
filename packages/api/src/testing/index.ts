export { makeTestDeps } from "./deps.ts";
