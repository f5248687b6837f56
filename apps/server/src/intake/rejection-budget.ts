/**
 * Unauthenticated requests are recorded as rejected deliveries (raw body kept, so an
 * operator can see what a misconfigured sender posts). Anyone can send them, so what they
 * may write is bounded: a token bucket per source. Past the budget the request still gets
 * its 401, without a record; the log says how many were not recorded.
 */
export class RejectionBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number; dropped: number; lastWarn: number }>();

  constructor(
    /** Recorded rejections a source may burst to. */
    private readonly capacity = 60,
    /** Refill, per second. */
    private readonly perSecond = 1,
  ) {}

  /** True if this rejection may be recorded now; false (and counted) when over budget. */
  take(source: string, nowMs: number): boolean {
    const b = this.buckets.get(source) ?? { tokens: this.capacity, at: nowMs, dropped: 0, lastWarn: 0 };
    b.tokens = Math.min(this.capacity, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond);
    b.at = nowMs;
    this.buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.dropped += 1;
    return false;
  }

  /** Rejections not recorded since the last call, if a warning is due (at most every 10 s per source). */
  dueWarning(source: string, nowMs: number): number {
    const b = this.buckets.get(source);
    if (!b || b.dropped === 0 || nowMs - b.lastWarn < 10_000) return 0;
    const n = b.dropped;
    b.dropped = 0;
    b.lastWarn = nowMs;
    return n;
  }
}
