import type { ApiDeps } from './deps.js';
import { asHttpError, HttpError } from './errors.js';

const EVERY_MS = 10_000;

/** One server's outage log: whether a window is open, and how many 503s in it are not logged yet. */
interface OutageLog {
  timer: NodeJS.Timeout | null;
  suppressed: number;
}
const state = new WeakMap<ApiDeps, OutageLog>();

/**
 * Log a request that failed because the database is unavailable. While it is away every request fails
 * the same way, so one line opens a 10 s window; when the window ends, a line counts the 503s in it (and
 * opens the next), or, when there were none, says requests no longer fail so. Every 503 is counted once.
 */
export function logStoreOutage(deps: ApiDeps, error: unknown, path: string | undefined): void {
  let log = state.get(deps);
  if (!log) {
    log = { timer: null, suppressed: 0 };
    state.set(deps, log);
  }
  if (log.timer) {
    log.suppressed++;
    return;
  }
  deps.logger.error({ err: error, path }, 'store unavailable: answering 503 with Retry-After');
  openWindow(deps, log);
}

function openWindow(deps: ApiDeps, log: OutageLog): void {
  log.timer = setTimeout(() => {
    log.timer = null;
    if (log.suppressed === 0) {
      deps.logger.info('no request has failed for want of the store for 10 s');
      return;
    }
    deps.logger.error(
      { answered503: log.suppressed },
      `store still unavailable: ${log.suppressed} more requests answered 503 in the last 10 s`,
    );
    log.suppressed = 0;
    openWindow(deps, log);
  }, EVERY_MS);
  log.timer.unref();
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
