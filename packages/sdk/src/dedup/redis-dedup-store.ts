import { assertTtl, type ClaimResult, type DedupStore } from './dedup-store.js';

/**
 * The three commands this store uses, in the shape of node-redis v4+ (`redis` package):
 * `createClient()` fits as it is. For ioredis, wrap `set(k, v, 'PX', ms, 'NX')` in this shape.
 */
export interface RedisLikeClient {
  set(key: string, value: string, options: { NX?: boolean; PX: number }): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

/** Options of {@link RedisDedupStore}. */
export interface RedisDedupStoreOptions {
  /** Prefix of every key. Default `hookline:dedup:`. */
  keyPrefix?: string;
}

const IN_PROGRESS = 'in_progress';
const DONE = 'done';

/**
 * A {@link DedupStore} in Redis: `SET key in_progress NX PX lease` is the atomic claim, and Redis
 * expiry forgets old ids by itself.
 */
export class RedisDedupStore implements DedupStore {
  readonly #prefix: string;

  constructor(
    private readonly redis: RedisLikeClient,
    options: RedisDedupStoreOptions = {},
  ) {
    this.#prefix = options.keyPrefix ?? 'hookline:dedup:';
  }

  async claim(id: string, ttlSeconds: number): Promise<ClaimResult> {
    assertTtl(ttlSeconds);
    const key = this.#prefix + id;
    // Two rounds: the key may expire between a refused SET and the GET that reads it.
    for (let round = 0; round < 2; round++) {
      const set = await this.redis.set(key, IN_PROGRESS, { NX: true, PX: Math.ceil(ttlSeconds * 1000) });
      if (set !== null && set !== undefined) return 'new';
      const state = await this.redis.get(key);
      if (state === DONE) return 'duplicate';
      if (state !== null) return 'in_progress';
    }
    return 'in_progress';
  }

  async complete(id: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    await this.redis.set(this.#prefix + id, DONE, { PX: Math.ceil(ttlSeconds * 1000) });
  }

  async release(id: string): Promise<void> {
    const key = this.#prefix + id;
    if ((await this.redis.get(key)) === IN_PROGRESS) await this.redis.del(key);
  }
}
