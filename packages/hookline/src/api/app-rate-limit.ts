import { RateLimiter } from '../core/rate-limiter.js';
import type { TokensTaken } from '../store/types.js';
import { HttpError } from './errors.js';

/** Takes up to `wanted` tokens of an app's bucket that every process shares (`rate` per second). */
export type SharedAppTokens = (appId: string, rate: number, wanted: number) => Promise<TokensTaken>;

/** Granted tokens not used within this long are dropped, so that no process saves up a burst of its own. */
const GRANT_LIFE_MS = 1_000;
/** While the shared bucket is empty, a process answers 429 itself for at least this long before asking again. */
const MIN_EMPTY_MS = 50;
/** Apps with a local allowance at once, at most (stale ones are dropped first). */
const MAX_ALLOWANCES = 10_000;

interface Allowance {
  /** Granted by the shared bucket, not used yet. */
  tokens: number;
  /** Until when those may be used. */
  usableUntil: number;
  /** Until when the shared bucket is known to be empty (0: not known). */
  emptyUntil: number;
  /** The take from the shared bucket in flight, shared by the requests that wait for it. */
  taking: Promise<void> | null;
}

/**
 * `--api-rate-limit`: how many requests per second each app may make, in bursts of up to one second's worth;
 * beyond that 429 `rate_limited` with Retry-After. Counted where a request names its app (every
 * `/v1/apps/{app}/…` route, ingest included), after the caller was allowed to see that app, so one tenant's
 * flood slows only that tenant.
 *
 * With one process (SQLite) the buckets live here. With `shared` (PostgreSQL) every process draws on one
 * bucket per app in the database: a process takes a twentieth of a second's worth at a time and spends it
 * locally, so an app costs the database one short statement per 50 ms of traffic per process, not one per
 * request.
 */
export class AppRateLimit {
  private readonly limiter = new RateLimiter();
  private readonly allowances = new Map<string, Allowance>();

  constructor(
    /** Requests per second; 0 = no limit. */
    readonly perSecond: number,
    private readonly clock: () => number,
    private readonly shared?: SharedAppTokens,
  ) {}

  /**
   * Count one request of `appId`, or throw 429 when the app is over its limit (nothing else happens then).
   * Returns a promise only when the shared bucket must be asked first; it rejects with the 429 then.
   */
  admit(appId: string): void | Promise<void> {
    if (this.perSecond === 0) return;
    if (!this.shared) {
      const waitMs = this.limiter.take(appId, this.perSecond, this.clock());
      if (waitMs > 0) throw this.limited(appId, waitMs);
      return;
    }
    return this.admitShared(appId, this.shared);
  }

  private admitShared(appId: string, shared: SharedAppTokens): void | Promise<void> {
    const allowance = this.allowance(appId);
    const now = this.clock();
    if (allowance.tokens > 0 && now < allowance.usableUntil) {
      allowance.tokens -= 1;
      return;
    }
    if (now < allowance.emptyUntil) throw this.limited(appId, allowance.emptyUntil - now);
    allowance.taking ??= this.refill(appId, allowance, shared);
    // The grant may go to requests that waited for it before this one: then ask again.
    return allowance.taking.then(() => this.admitShared(appId, shared));
  }

  private async refill(appId: string, allowance: Allowance, shared: SharedAppTokens): Promise<void> {
    const wanted = Math.max(1, Math.ceil(this.perSecond / 20));
    try {
      const { taken, waitMs } = await shared(appId, this.perSecond, wanted);
      const now = this.clock();
      allowance.tokens = taken;
      allowance.usableUntil = now + GRANT_LIFE_MS;
      allowance.emptyUntil = taken < wanted ? now + Math.max(waitMs, MIN_EMPTY_MS) : 0;
    } finally {
      allowance.taking = null;
    }
  }

  private allowance(appId: string): Allowance {
    let allowance = this.allowances.get(appId);
    if (!allowance) {
      if (this.allowances.size >= MAX_ALLOWANCES) this.prune();
      allowance = { tokens: 0, usableUntil: 0, emptyUntil: 0, taking: null };
      this.allowances.set(appId, allowance);
    }
    return allowance;
  }

  /** Forget allowances with nothing usable left and nothing in flight (a new one asks the bucket again). */
  private prune(): void {
    const now = this.clock();
    for (const [appId, a] of this.allowances) {
      if (!a.taking && now >= a.usableUntil && now >= a.emptyUntil) this.allowances.delete(appId);
    }
  }

  private limited(appId: string, waitMs: number): HttpError {
    const seconds = Math.ceil(waitMs / 1000);
    return new HttpError(
      'rate_limited',
      `app ${appId} is over its limit of ${this.perSecond} requests per second; retry in ${seconds} s`,
      undefined,
      { 'retry-after': String(seconds) },
    );
  }
}
