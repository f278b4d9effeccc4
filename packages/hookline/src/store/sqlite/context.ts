import type Database from 'better-sqlite3';
import { keysetBefore } from '../paging.js';
import type { StatsAccumulator } from '../stats-accumulator.js';
import type { ConfigCache } from './config-cache.js';
import type { JobOptions } from './write-batcher.js';

/** What the SQLite store's modules share: cached statements, the group-commit writer and the stats batch. */
export interface SqliteContext {
  stmt(text: string): Database.Statement;
  /** Run `job` inside the next group-commit transaction; resolves after COMMIT. */
  write<T>(job: () => T, options?: JobOptions): Promise<T>;
  readonly stats: StatsAccumulator;
  /** Apps and endpoints as the hot paths read them. */
  readonly cache: ConfigCache;
  /** Call inside a write that changes an app or an endpoint: it forgets the cache. */
  endpointsChanged(): void;
}

/** The hot paths' writes (enqueue, outcomes, claims, leases): they never throw by design, so no SAVEPOINT. */
export const HOT_PATH: JobOptions = { isolated: false };

// Shared by both backends; re-exported where the SQLite modules expect it.
export { keysetBefore };
