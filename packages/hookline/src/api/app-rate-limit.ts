import { RateLimiter } from '../core/rate-limiter.js';
import { HttpError } from './errors.js';

/**
 * `--api-rate-limit`: how many requests per second each app may make to this process, in bursts of up to
 * one second's worth; beyond that 429 `rate_limited` with Retry-After. Counted where a request names its
 * app (every `/v1/apps/{app}/…` route, ingest included), after the caller was allowed to see that app, so
 * one tenant's flood slows only that tenant. Each process counts for itself: behind a load balancer over N
 * API processes an app gets up to N times the limit.
 */
export class AppRateLimit {
  private readonly limiter = new RateLimiter();

  constructor(
    /** Requests per second; 0 = no limit. */
    readonly perSecond: number,
    private readonly clock: () => number,
  ) {}

  /** Count one request of `appId`, or throw 429 when the app is over its limit (nothing else happens then). */
  admit(appId: string): void {
    if (this.perSecond === 0) return;
    const waitMs = this.limiter.take(appId, this.perSecond, this.clock());
    if (waitMs === 0) return;
    const seconds = Math.ceil(waitMs / 1000);
    throw new HttpError(
      'rate_limited',
      `app ${appId} is over its limit of ${this.perSecond} requests per second; retry in ${seconds} s`,
      undefined,
      { 'retry-after': String(seconds) },
    );
  }
}
