import { AGAIN, retryUntil } from '../../core/deadline.js';
import { StoreBusyError } from '../errors.js';
import type { PostgresContext } from './context.js';
import { isLockTimeout, type PgQueryable } from './driver.js';
import { LOCK_APP_EXCLUSIVE, TRY_LOCK_APP_EXCLUSIVE } from './statements.js';

/** How long deleting an endpoint or an app keeps trying before it gives up (app_busy, nothing changed). */
export const APP_LOCK_WAIT_MS = 5_000;
/** The longest one wait for the app's lock in PostgreSQL's queue. */
const QUEUED_MS = 50;
/** The longest the delete then waits for any row lock before it rolls back and tries again. */
const ROW_LOCK_MS = 200;
/** Pauses between tries. */
const PAUSES = { first: 25, max: 400 };

/**
 * Run `work` (deleting an endpoint or the app) in a transaction that holds the app's lock exclusively, so
 * that deliveries being created for the app commit first, and that never makes others wait long:
 * - ingest units hold the app's lock shared for milliseconds, and a queued exclusive request gets it within
 *   one short window; a platform transaction that called hookline.send_message holds it shared until it
 *   ends, and an exclusive request waiting in the queue holds up every later shared one (the app's ingest on
 *   every process), so the request waits at most QUEUED_MS at a time, with pauses between;
 * - its rows are locked in another order than a write unit's (endpoint, then deliveries), so the two could
 *   deadlock, and PostgreSQL takes a second (deadlock_timeout) to find it, holding up every write of that
 *   unit's process meanwhile; so the delete waits at most ROW_LOCK_MS for a row, rolls back and tries again.
 * After APP_LOCK_WAIT_MS: app_busy, nothing changed.
 */
export function withAppExclusive<T>(
  ctx: PostgresContext,
  appId: string,
  work: (tx: PgQueryable) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + APP_LOCK_WAIT_MS;
  return retryUntil(
    deadline,
    PAUSES,
    async () => {
      try {
        return await ctx.transaction(async (tx) => {
          await lockApp(tx, appId, deadline);
          await tx.query(`SET LOCAL lock_timeout = '${ROW_LOCK_MS}ms'`);
          return work(tx);
        });
      } catch (error) {
        if (isLockTimeout(error)) return AGAIN;
        throw error;
      }
    },
    appBusy,
  );
}

/** The app's lock, tried, then waited for in short windows, until `deadline`. */
async function lockApp(tx: PgQueryable, appId: string, deadline: number): Promise<void> {
  const { rows } = await tx.query<{ locked: boolean }>(TRY_LOCK_APP_EXCLUSIVE, [appId]);
  if (rows[0]!.locked) return;
  await retryUntil(
    deadline,
    PAUSES,
    async () => {
      await tx.query('SAVEPOINT hookline_app_lock');
      try {
        await tx.query(`SET LOCAL lock_timeout = '${QUEUED_MS}ms'`);
        await tx.query(LOCK_APP_EXCLUSIVE, [appId]);
        await tx.query('RELEASE SAVEPOINT hookline_app_lock');
        return undefined;
      } catch (error) {
        if (!isLockTimeout(error)) throw error;
        await tx.query('ROLLBACK TO SAVEPOINT hookline_app_lock');
        return AGAIN;
      }
    },
    appBusy,
  );
}

function appBusy(): StoreBusyError {
  return new StoreBusyError(
    'app_busy',
    `what the delete must change stayed locked for ${APP_LOCK_WAIT_MS / 1000} s (most likely by a transaction that enqueued messages for this app with hookline.send_message and has not committed); nothing was changed; retry once it has`,
  );
}
