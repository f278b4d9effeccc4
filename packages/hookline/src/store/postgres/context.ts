import { isStalePlan, isUnavailable, type PgPool, type PgQueryable, toStoreError } from './driver.js';

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
      try {
        return await once(pool, work);
      } catch (error) {
        // The stale connection is gone; the rolled-back work runs again on a fresh one.
        if (!isStalePlan(error)) throw toStoreError(error);
        return once(pool, work).catch((e: unknown) => Promise.reject(toStoreError(e)));
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
