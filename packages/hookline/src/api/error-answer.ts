import type { ApiDeps } from './deps.js';
import { asHttpError, HttpError } from './errors.js';

const EVERY_MS = 10_000;
const state = new WeakMap<ApiDeps, { loggedAt: number; suppressed: number }>();

/**
 * Log a request that failed because the database is unavailable. While it is away every request fails
 * the same way, so one line per 10 s per server, with the count of those not logged in between.
 */
export function logStoreOutage(deps: ApiDeps, error: unknown, path: string | undefined): void {
  const now = deps.clock();
  const seen = state.get(deps) ?? { loggedAt: Number.NEGATIVE_INFINITY, suppressed: 0 };
  state.set(deps, seen);
  if (now - seen.loggedAt < EVERY_MS) {
    seen.suppressed++;
    return;
  }
  deps.logger.error(
    { err: error, path, alsoFailedSinceLastLine: seen.suppressed },
    'store unavailable: answering 503 with Retry-After',
  );
  seen.loggedAt = now;
  seen.suppressed = 0;
}

/**
 * The HTTP error to answer `error` with, logged as it should be: a store outage through the rate-limited
 * line above, anything unexpected as an unhandled error (answered 500). One place for the Hono routes and
 * the ingest fast path.
 */
export function answerFor(deps: ApiDeps, error: unknown, method: string, path: string | undefined): HttpError {
  const known = asHttpError(error);
  if (known?.code === 'store_unavailable') logStoreOutage(deps, error, path);
  if (known) return known;
  deps.logger.error({ err: error, method, path }, 'unhandled error');
  return new HttpError('internal_error', 'an internal error occurred; it has been logged');
}
