import { RateLimiter } from '../core/rate-limiter.js';
import type { TokensTaken } from '../store/types.js';

/** Where the dispatcher takes rate-limit tokens from: this process's buckets, or the database's shared ones. */
export interface RateGate {
  take(endpointId: string, rate: number, wanted: number): Promise<TokensTaken>;
}

/** This process's own buckets (the one process of a SQLite store). */
export function localRateGate(clock: () => number): RateGate {
  const limiter = new RateLimiter();
  return {
    take: async (endpointId, rate, wanted) => {
      for (let taken = 0; taken < wanted; taken++) {
        const waitMs = limiter.take(endpointId, rate, clock());
        if (waitMs > 0) return { taken, waitMs };
      }
      return { taken: wanted, waitMs: 0 };
    },
  };
}
