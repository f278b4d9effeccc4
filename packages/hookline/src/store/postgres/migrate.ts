import { newerSchemaMessage } from '../errors.js';
import type { PostgresContext } from './context.js';
import type { StoreLog } from './listener.js';
import { MIGRATION_LOCK, MIGRATIONS_TABLE, POSTGRES_MIGRATIONS } from './migrations.js';
import * as sql from './statements.js';

/**
 * How long one migration statement may wait for a table lock. An ALTER TABLE waits behind any open
 * transaction that touched the table (a platform's transaction that called send_message), and while it
 * waits every later query on that table waits behind it: the running processes' ingest stalled for as long
 * (upgrade audit: 30 s, until the statement timeout). So it waits a quarter second, gives way, and tries
 * again a second later.
 */
const LOCK_WAIT = '250ms';
const RETRY_EVERY_MS = 1_000;

export interface MigrateOptions {
  /** How long to keep trying for the locks before the start fails. */
  patienceMs: number;
  log: StoreLog;
  clock?: () => number;
}

/** 55P03 lock_not_available: lock_timeout ran out. */
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/**
 * Apply the pending migrations in one transaction, one starting process at a time; refuse a database that
 * a newer hookline migrated (its schema may mean what this version does not know). A migration that cannot
 * take its table lock gives way to the transaction that holds it and tries again until `patienceMs` ran out.
 */
export async function migrate(ctx: PostgresContext, options: MigrateOptions): Promise<void> {
  const clock = options.clock ?? Date.now;
  const giveUpAt = clock() + options.patienceMs;
  for (;;) {
    let waiting: { version: number; name: string } | null = null;
    try {
      await ctx.transaction(async (tx) => {
        await tx.query(sql.MIGRATION_XACT_LOCK, [MIGRATION_LOCK]);
        await tx.query(MIGRATIONS_TABLE);
        const applied = new Set(
          (await tx.query<{ version: number }>(sql.APPLIED_MIGRATIONS)).rows.map((r) => r.version),
        );
        const known = POSTGRES_MIGRATIONS.at(-1)!.version;
        const newest = Math.max(0, ...applied);
        if (newest > known) throw new Error(newerSchemaMessage(newest, known));
        // Set after the advisory lock: lock_timeout bounds that wait too, and starters should queue there.
        await tx.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          waiting = migration;
          await tx.query(migration.sql);
          await tx.query(sql.RECORD_MIGRATION, [migration.version, migration.name]);
        }
      });
      return;
    } catch (error) {
      if (!isLockTimeout(error) || waiting === null) throw error;
      const { version, name } = waiting as { version: number; name: string };
      const holder = await oldestOpenTransaction(ctx);
      const what = `migration ${version} (${name}) cannot lock its tables: another transaction holds them${holder}`;
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

/** ` (the oldest open one: pid …, open … s, …)`, or nothing when it cannot be told. */
async function oldestOpenTransaction(ctx: PostgresContext): Promise<string> {
  try {
    const [oldest] = await ctx.rows<{ pid: number; seconds: number; state: string }>(sql.OLDEST_OPEN_TRANSACTION);
    return oldest ? ` (the oldest open one: pid ${oldest.pid}, open ${oldest.seconds} s, ${oldest.state})` : '';
  } catch {
    return '';
  }
}
