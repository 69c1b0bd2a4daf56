import { decideRate, rateWindow, type RateDecision, type RateLimit } from '../../lambdas/core/subscribers/rate-limit';

/**
 * The local stand-in for the WAF rate rule on CloudFront: fixed-window counts per route and client IP, in memory
 * (the local API is one process). Same window rule as WAF's and the sign-up desk's (`core/subscribers/rate-limit.ts`).
 */
export class ClientRateLimiter {
  private readonly counts = new Map<string, { startsAt: number; count: number }>();

  hit(route: string, client: string, limit: RateLimit, now: Date): RateDecision {
    const window = rateWindow(limit, now);
    const key = `${route} ${client}`;
    const entry = this.counts.get(key);
    const count = entry && entry.startsAt === window.startsAt ? entry.count + 1 : 1;
    this.counts.set(key, { startsAt: window.startsAt, count });
    if (this.counts.size > 10_000) this.prune(window.startsAt);
    return decideRate(count, limit, window, now);
  }

  /** Forgets finished windows, so a long-running stack does not keep every client it ever saw. */
  private prune(current: number): void {
    for (const [key, entry] of this.counts) if (entry.startsAt < current) this.counts.delete(key);
  }
}
