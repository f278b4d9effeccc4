import { StoreBusyError } from '../errors.js';
import type { PgQueryable } from './driver.js';
import { LOCK_APP_EXCLUSIVE, TRY_LOCK_APP_EXCLUSIVE } from './statements.js';

/** How long deleting an endpoint or an app waits for the app's uncommitted enqueues before it gives up. */
export const APP_LOCK_WAIT_MS = 5_000;
/** The longest one wait in PostgreSQL's lock queue. */
const QUEUED_MS = 50;

/**
 * Take the app's lock exclusively (deleting an endpoint or the app), so that deliveries being created for
 * the app commit first. Ingest units hold it shared for milliseconds, and a queued exclusive request gets it
 * within one short window. A platform transaction that called hookline.send_message holds it shared until it
 * ends, and while an exclusive request waits in the queue every later shared request (the app's ingest, on
 * every process) waits behind it: so the request waits at most QUEUED_MS at a time, with pauses between,
 * and after APP_LOCK_WAIT_MS the delete is refused (app_busy) with nothing changed.
 */
export async function lockAppExclusive(tx: PgQueryable, appId: string): Promise<void> {
  const { rows } = await tx.query<{ locked: boolean }>(TRY_LOCK_APP_EXCLUSIVE, [appId]);
  if (rows[0]!.locked) return;
  const deadline = Date.now() + APP_LOCK_WAIT_MS;
  for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
    await tx.query('SAVEPOINT hookline_app_lock');
    try {
      await tx.query(`SET LOCAL lock_timeout = '${QUEUED_MS}ms'`);
      await tx.query(LOCK_APP_EXCLUSIVE, [appId]);
      await tx.query('SET LOCAL lock_timeout = 0');
      await tx.query('RELEASE SAVEPOINT hookline_app_lock');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT hookline_app_lock');
    }
    if (Date.now() + pause > deadline) {
      throw new StoreBusyError(
        'app_busy',
        `a transaction that enqueues messages for this app (hookline.send_message) has not committed for ${APP_LOCK_WAIT_MS / 1000} s; nothing was changed; retry once it has`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** SQLSTATE of a lock wait that ran past lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
