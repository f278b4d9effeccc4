/**
 * Token buckets by key: an endpoint's `rateLimit` (deliveries per second), an app's `--api-rate-limit`
 * (requests per second). A bucket holds up to one second's worth of tokens, refills continuously, and
 * starts full, so an idle key takes a burst of `rate` at once and then `rate` per second. Pure: the caller
 * passes the time. Hand-written: the common limiter packages wrap promises, stores or middleware; this is
 * ten lines of arithmetic that the dispatcher and the API need synchronously.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; rate: number }>();

  /**
   * Take one token of `key` at `now` (ms) for `rate` per second: 0 when taken, else the ms until one is
   * free (nothing is taken then). A changed rate starts the bucket over, full.
   */
  take(key: string, rate: number, now: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.rate !== rate) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: rate, at: now, rate };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(rate, bucket.tokens + (Math.max(0, now - bucket.at) * rate) / 1000);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / rate));
  }

  /** Forget buckets that have refilled (a new one starts full, so nothing changes for them). */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * b.rate) / 1000 >= b.rate) this.buckets.delete(key);
    }
  }
}

/** Keys with a bucket at once, at most (refilled ones are dropped first). */
const MAX_BUCKETS = 10_000;
