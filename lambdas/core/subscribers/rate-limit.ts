/**
 * Fixed-window rate limiting, the rule both limiters apply: the local gateway per client IP (as the WAF rule
 * does on AWS) and the sign-up desk per address. A fixed window is what WAF counts too, and it needs one counter
 * per key and window, which one conditional-free DynamoDB update can keep.
 */

/** At most `requests` in each fixed window of `windowSeconds`. */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export interface RateWindow {
  /** Epoch seconds the current window started at; part of the counter's key. */
  startsAt: number;
  /** Epoch seconds the window ends at: when a refused caller may try again. */
  endsAt: number;
}

export function rateWindow(limit: RateLimit, now: Date): RateWindow {
  const seconds = Math.floor(now.getTime() / 1000);
  const startsAt = seconds - (seconds % limit.windowSeconds);
  return { startsAt, endsAt: startsAt + limit.windowSeconds };
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** `count` is the number of requests in the window including this one. */
export function decideRate(count: number, limit: RateLimit, window: RateWindow, now: Date): RateDecision {
  if (count <= limit.requests) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, window.endsAt - Math.floor(now.getTime() / 1000)) };
}
