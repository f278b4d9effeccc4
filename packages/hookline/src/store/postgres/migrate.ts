import { refuseNewerSchema } from '../errors.js';
import { isLockTimeout, type PgQueryable } from './driver.js';
import type { StoreLog } from './listener.js';
import { MIGRATION_LOCK, MIGRATIONS_TABLE, POSTGRES_MIGRATIONS } from './migrations.js';
import * as sql from './statements.js';

/**
 * How long one migration statement waits for a table lock at first. An ALTER TABLE waits behind any open
 * transaction that touched the table (a platform's transaction that called send_message), and while it
 * waits every later query on that table waits behind it: the running processes' ingest stalled for as long
 * (upgrade audit: 30 s, until the statement timeout). So it waits a quarter second, gives way, and tries
 * again a second later.
 */
const QUICK_LOCK_WAIT_MS = 250;
const RETRY_EVERY_MS = 1_000;

export interface MigrateOptions {
  /** How long to keep trying for the locks before the start fails. */
  patienceMs: number;
  log: StoreLog;
  clock?: () => number;
}

/**
 * Apply the pending migrations on `connection` (a connection of its own, without a statement timeout: a
 * backfill reads a whole table), each in a transaction of its own, one starting process at a time. So an
 * ALTER's exclusive lock is held only for its own statement, never through a later migration's backfill.
 * A database a newer hookline migrated is refused (its schema may mean what this version does not know).
 * A migration that cannot take its table lock gives way and tries again until `patienceMs` ran out.
 */
export async function migrate(connection: PgQueryable, options: MigrateOptions): Promise<void> {
  const clock = options.clock ?? Date.now;
  const giveUpAt = clock() + options.patienceMs;
  let lockWaitMs = QUICK_LOCK_WAIT_MS;
  for (;;) {
    let pending: { version: number; name: string; sql: string } | null = null;
    try {
      await connection.query('BEGIN');
      await connection.query(sql.MIGRATION_XACT_LOCK, [MIGRATION_LOCK]);
      await connection.query(MIGRATIONS_TABLE);
      const applied = new Set(
        (await connection.query<{ version: number }>(sql.APPLIED_MIGRATIONS)).rows.map((r) => r.version),
      );
      refuseNewerSchema(applied, POSTGRES_MIGRATIONS);
      pending = POSTGRES_MIGRATIONS.find((m) => !applied.has(m.version)) ?? null;
      if (pending === null) {
        await connection.query('COMMIT');
        return;
      }
      // Set after the advisory lock: lock_timeout bounds that wait too, and starters should queue there.
      await connection.query(`SET LOCAL lock_timeout = ${lockWaitMs}`);
      await connection.query(pending.sql);
      await connection.query(sql.RECORD_MIGRATION, [pending.version, pending.name]);
      await connection.query('COMMIT');
      lockWaitMs = QUICK_LOCK_WAIT_MS;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      if (!isLockTimeout(error) || pending === null) throw error;
      const { version, name } = pending;
      const holders = await lockHolders(connection);
      // PostgreSQL cancels an autovacuum that blocks a lock request only once the request has waited
      // deadlock_timeout: a quarter second never gets there, so with one in the way wait a little longer.
      if (holders.autovacuum) lockWaitMs = holders.deadlockTimeoutMs + 1_000;
      const what = `migration ${version} (${name}) cannot lock its tables: ${holders.description}`;
      if (clock() >= giveUpAt) {
        throw new Error(
          `${what}; gave up after ${Math.round(options.patienceMs / 1000)} s (end that transaction, then start again)`,
          { cause: error },
        );
      }
      options.log('warn', `${what}; trying again every second`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
  }
}

/** Who holds locks on hookline's tables now, in words, and whether an autovacuum is among them. */
async function lockHolders(
  connection: PgQueryable,
): Promise<{ description: string; autovacuum: boolean; deadlockTimeoutMs: number }> {
  try {
    const { rows } = await connection.query<{
      pid: number;
      seconds: number | null;
      state: string | null;
      autovacuum: boolean;
      deadlock_timeout_ms: number;
    }>(sql.HOOKLINE_LOCK_HOLDERS);
    const deadlockTimeoutMs = rows[0]?.deadlock_timeout_ms ?? 1_000;
    const autovacuum = rows.some((r) => r.autovacuum);
    const oldest = rows.find((r) => !r.autovacuum);
    const parts: string[] = [];
    if (oldest) {
      parts.push(`another transaction holds them (pid ${oldest.pid}, open ${oldest.seconds ?? 0} s, ${oldest.state})`);
    }
    if (autovacuum) parts.push('an autovacuum holds them (PostgreSQL cancels it for the migration)');
    return {
      description: parts.length > 0 ? parts.join('; ') : 'another transaction holds them',
      autovacuum,
      deadlockTimeoutMs,
    };
  } catch {
    return { description: 'another transaction holds them', autovacuum: false, deadlockTimeoutMs: 1_000 };
  }
}
