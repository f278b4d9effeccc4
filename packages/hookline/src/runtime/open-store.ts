import { isPostgresUrl } from '../config/config.js';
import type { DeliveryStore } from '../store/port.js';
import { DatabaseLockedError, SqliteStore } from '../store/sqlite/sqlite-store.js';

/** A database that cannot be opened or reached; the CLI prints the message as one line. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/** Open and migrate the store `--db` names: a file path (SQLite) or a postgres:// URL. */
export async function openStore(db: string): Promise<DeliveryStore> {
  if (isPostgresUrl(db)) {
    throw new StoreOpenError(
      'PostgreSQL support is not built into this version yet; use a SQLite file path for --db',
    );
  }
  let store: SqliteStore;
  try {
    store = new SqliteStore(db);
  } catch (error) {
    if (error instanceof DatabaseLockedError) throw error;
    const e = error as { message?: string };
    throw new StoreOpenError(`cannot open database ${db}: ${e.message ?? String(error)}`);
  }
  await store.migrate();
  return store;
}
