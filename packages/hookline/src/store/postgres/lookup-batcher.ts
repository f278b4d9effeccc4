/**
 * Batches point lookups: every key asked for while the previous lookup ran (or during one event-loop
 * turn) is read with one statement. Under load each API request starts with an app lookup; one query
 * per request would cost one PostgreSQL transaction per message, one per batch costs almost nothing.
 */
export class LookupBatcher<V> {
  private waiting = new Map<string, Array<{ resolve: (v: V | null) => void; reject: (e: unknown) => void }>>();
  private scheduled = false;
  private running = false;

  constructor(
    /** Reads the values of `keys`; a key missing from the map has no value. */
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly maxKeys = 500,
  ) {}

  get(key: string): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.running || this.waiting.size === 0) return;
    const keys = [...this.waiting.keys()].slice(0, this.maxKeys);
    const batch = keys.map((key) => [key, this.waiting.get(key)!] as const);
    for (const key of keys) this.waiting.delete(key);
    this.running = true;
    try {
      const values = await this.load(keys);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(values.get(key) ?? null);
    } catch (error) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(error);
    } finally {
      this.running = false;
      if (this.waiting.size > 0) this.schedule();
    }
  }
}
