export {
  createRateLimits,
  type RateLimitRule,
  type RateLimits,
  type RateWindow,
} from "./rate-limits.ts";
