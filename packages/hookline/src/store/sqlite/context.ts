import type Database from 'better-sqlite3';
import { startCursor } from '../paging.js';
import type { StatsAccumulator } from '../stats-accumulator.js';
import type { PageRequest } from '../types.js';

/** What the SQLite store's modules share: cached statements, the group-commit writer and the stats batch. */
export interface SqliteContext {
  stmt(text: string): Database.Statement;
  /** Run `job` inside the next group-commit transaction; resolves after COMMIT. */
  write<T>(job: () => T): Promise<T>;
  readonly stats: StatsAccumulator;
  /** Call inside a write that changes an endpoint: the store caches endpoints for the ingest path. */
  endpointsChanged(): void;
}

/** A first page starts before every real position. */
const NO_CURSOR = { beforeAt: Number.MAX_SAFE_INTEGER, beforeId: '~' };

/** The keyset bound `(created_at, id) < (beforeAt, beforeId)` a page request starts after. */
export function keysetBefore(page: PageRequest): { beforeAt: number; beforeId: string } {
  const cursor = startCursor(page);
  return cursor ? { beforeAt: cursor.createdAt, beforeId: cursor.id } : NO_CURSOR;
}
