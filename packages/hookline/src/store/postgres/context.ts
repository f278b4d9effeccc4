import { isStalePlan, isUnavailable, type PgPool, type PgQueryable, sqlState, toStoreError } from './driver.js';

/** What the PostgreSQL store's modules share (parallel to sqlite/context.ts). */
export interface PostgresContext {
  /** One statement on a pooled connection; driver errors mapped to the store's. */
  rows<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** `work` in a transaction of its own (admin writes, outside the group-commit path). */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
}

export function createContext(pool: PgPool): PostgresContext {
  return {
    async rows<R>(text: string, values?: unknown[]): Promise<R[]> {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await pool.query<R>(text, values)).rows;
        } catch (error) {
          // The pool dropped the connection with the stale plan; a fresh one plans again.
          if (attempt > 1 || !isStalePlan(error)) throw toStoreError(error);
        }
      }
    },
    async transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(pool, work);
        } catch (error) {
          // A stale connection is gone, or PostgreSQL chose this transaction to end a deadlock: the
          // rolled-back work runs again (on a fresh connection), a few times at most.
          if (attempt >= 3 || !(isStalePlan(error) || isDeadlock(error))) throw toStoreError(error);
        }
      }
    },
  };
}

async function once<T>(pool: PgPool, work: (tx: PgQueryable) => Promise<T>): Promise<T> {
  const connection = await pool.connect();
  let broken: Error | undefined;
  try {
    await connection.query('BEGIN');
    const result = await work(connection);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    // A broken connection (or one holding stale plans) is dropped from the pool; other failures roll back.
    if (isUnavailable(error) || isStalePlan(error)) broken = error as Error;
    else await connection.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    connection.release(broken);
  }
}

/** PostgreSQL rolled the transaction back to break a deadlock (40P01) or a serialization conflict (40001). */
function isDeadlock(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}
