import type { PgQueryable } from './driver.js';

/** What the PostgreSQL store's modules share (parallel to sqlite/context.ts). */
export interface PostgresContext {
  /** One statement on a pooled connection; driver errors mapped to the store's. */
  rows<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** `work` in a transaction of its own (admin writes, outside the group-commit path). */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
}
