import type { ApiDeps } from './deps.js';

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
