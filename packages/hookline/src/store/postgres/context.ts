import { isUnavailable, type PgPool, type PgQueryable, toStoreError } from './driver.js';

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
      try {
        return (await pool.query<R>(text, values)).rows;
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T> {
      let connection;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw toStoreError(error);
      }
      let broken: Error | undefined;
      try {
        await connection.query('BEGIN');
        const result = await work(connection);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        // A broken connection is dropped from the pool; any other failure is rolled back.
        if (isUnavailable(error)) broken = error as Error;
        else await connection.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw toStoreError(error);
      } finally {
        connection.release(broken);
      }
    },
  };
}
