import type { Logger } from 'pino';
import { isPostgresUrl } from '../config/config.js';
import type { DeliveryStore } from '../store/port.js';
import { describeDatabase, errorSummary } from '../store/postgres/driver.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { DatabaseLockedError } from '../store/sqlite/sqlite-store.js';
import { SqliteHost } from '../store/sqlite/store-host.js';

/** A database that cannot be opened or reached; the CLI prints the message as one line. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * Open and migrate the store `--db` names: a file path (SQLite) or a postgres:// URL. `logger` hears
 * what the store handles by itself (a lost LISTEN connection); tools without one pass nothing.
 */
export async function openStore(db: string, logger?: Logger): Promise<DeliveryStore> {
  if (isPostgresUrl(db)) return openPostgres(db, logger);
  let store: DeliveryStore;
  try {
    store = new SqliteHost(db);
  } catch (error) {
    if (error instanceof DatabaseLockedError) throw error;
    const e = error as { message?: string };
    throw new StoreOpenError(`cannot open database ${db}: ${e.message ?? String(error)}`);
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new StoreOpenError(`cannot use database ${db}: ${(error as Error).message ?? String(error)}`);
  }
  return store;
}

async function openPostgres(url: string, logger?: Logger): Promise<DeliveryStore> {
  const store = new PostgresStore(url, {
    log: (level, message, error) => logger?.[level](error ? { err: errorSummary(error) } : {}, message),
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    const message = (error as Error).message?.replace(/^the database is unavailable: /, '') ?? String(error);
    throw new StoreOpenError(`cannot use PostgreSQL at ${describeDatabase(url)}: ${message}${hintFor(message)}`);
  }
  return store;
}

/** What the driver's two vaguest start failures usually mean. */
function hintFor(message: string): string {
  if (/Connection terminated unexpectedly|ECONNRESET/i.test(message)) {
    return ' (the connection closed before PostgreSQL answered: check the host and port, and any firewall or proxy on the way)';
  }
  if (/connection timeout|timeout exceeded when trying to connect/i.test(message)) {
    return ' (no PostgreSQL answered there in time: check the host and port, and that the host is reachable)';
  }
  return '';
}
