import type { DeliveryStore } from '../store/port.js';
import type { App } from '../store/types.js';
import { TtlCache } from './ttl-cache.js';

/**
 * Apps by id or uid for the ingest path, which asks on every message: a store round trip per request
 * cost as much latency as the enqueue itself (docs/benchmarks.md). Staleness is bounded and harmless:
 * app writes through this process forget everything at once; another process's uid change shows within
 * `ttlMs`; and an app deleted meanwhile is caught by the enqueue itself, which refuses a message for an
 * app that no longer exists. Misses are not cached, so a new app is usable at once everywhere.
 */
export class AppDirectory {
  private readonly apps: TtlCache<App | null>;

  constructor(
    private readonly store: DeliveryStore,
    clock: () => number,
    ttlMs = 1000,
  ) {
    this.apps = new TtlCache(clock, ttlMs, false);
  }

  find(ref: string): Promise<App | null> {
    return this.apps.get(ref, (key) => this.store.findApp(key));
  }

  /** After this process changed or deleted an app (or found one gone). */
  forget(): void {
    this.apps.clear();
  }
}
