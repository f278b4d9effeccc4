/**
 * A small read-through cache for what the ingest path looks up on every request (apps, event types):
 * an entry lives `ttlMs`, this process forgets entries it changed itself, and other processes' changes
 * (PostgreSQL) show within `ttlMs`. Bounded by clearing rather than growing without end. A `null`
 * answer is cached only with `keepMisses` (an unregistered event type: yes; an app created a moment ago
 * by another process: no).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; fetchedAt: number }>();

  constructor(
    private readonly clock: () => number,
    private readonly ttlMs: number,
    private readonly keepMisses: boolean,
    private readonly maxEntries = 10_000,
  ) {}

  /** The fresh cached value of `key`, or what `load` answers (then cached). */
  async get(key: string, load: (key: string) => Promise<V>): Promise<V> {
    const now = this.clock();
    const cached = this.entries.get(key);
    if (cached && now - cached.fetchedAt < this.ttlMs) return cached.value;
    const value = await load(key);
    if (value === null && !this.keepMisses) return value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, fetchedAt: now });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
