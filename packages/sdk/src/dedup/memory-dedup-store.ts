import { assertTtl, type ClaimResult, type DedupStore } from './dedup-store.js';

/** Options of {@link MemoryDedupStore}. */
export interface MemoryDedupStoreOptions {
  /** Most ids remembered; past it the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /** Clock in epoch milliseconds (tests inject one). Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  state: 'in_progress' | 'done';
  expiresAt: number;
}

/**
 * An in-process {@link DedupStore}: an LRU map with per-entry expiry, bounded in size.
 * Right for one process; with several processes or restarts use the PostgreSQL or Redis store.
 */
export class MemoryDedupStore implements DedupStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryDedupStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.#now = options.now ?? Date.now;
  }

  /** Number of ids held (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  async claim(id: string, ttlSeconds: number): Promise<ClaimResult> {
    assertTtl(ttlSeconds);
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt > now) {
      // Re-insert to mark it recently used: Map keeps insertion order, the oldest is first.
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      return entry.state === 'done' ? 'duplicate' : 'in_progress';
    }
    this.#set(id, { state: 'in_progress', expiresAt: now + ttlSeconds * 1000 });
    return 'new';
  }

  async complete(id: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.#set(id, { state: 'done', expiresAt: this.#now() + ttlSeconds * 1000 });
  }

  async release(id: string): Promise<void> {
    if (this.#entries.get(id)?.state === 'in_progress') this.#entries.delete(id);
  }

  #set(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}
