import { delayBucket, histogramQuantile, statsMinute } from '../core/histogram.js';
import type { DeliveryStats } from './types.js';

/** Counter sums over whole minutes, as both stores read them. */
export interface MinuteSums {
  count: number;
  succeeded: number;
  failed: number;
  /** Delay-histogram bucket → successful deliveries. */
  buckets: Map<number, number>;
}

/** A delivery of the first minute created before `since`, as the counters hold it. */
export interface HeadDelivery {
  status: string;
  /** finished_at − created_at: the delay its success was counted with. */
  delay: number | null;
}

/**
 * The part of `since`'s minute that lies before `since` ([from, to)), or null when `since` starts its
 * minute (or is absent): stats are kept per minute, so these deliveries are read from their rows and
 * taken out of the sums, and the window starts exactly at `since`.
 */
export function headOf(since: number | null): { from: number; to: number } | null {
  if (since === null) return null;
  const from = statsMinute(since);
  return from < since ? { from, to: since } : null;
}

/** Take the deliveries before `since` out of the sums of its first minute. */
export function withoutHead(sums: MinuteSums, head: readonly HeadDelivery[]): MinuteSums {
  for (const d of head) {
    sums.count -= 1;
    if (d.status === 'failed') sums.failed -= 1;
    if (d.status !== 'succeeded') continue;
    sums.succeeded -= 1;
    const bucket = delayBucket(d.delay ?? 0);
    const left = (sums.buckets.get(bucket) ?? 0) - 1;
    if (left > 0) sums.buckets.set(bucket, left);
    else sums.buckets.delete(bucket);
  }
  return sums;
}

/** Count, Success rate and Delay percentiles from a window's sums. */
export function summarize({ count, succeeded, failed, buckets }: MinuteSums): DeliveryStats {
  const finished = succeeded + failed;
  return {
    count,
    succeeded,
    failed,
    pending: Math.max(0, count - finished),
    successRate: finished === 0 ? null : succeeded / finished,
    delayMs: {
      p50: histogramQuantile(buckets, 0.5),
      p95: histogramQuantile(buckets, 0.95),
      p99: histogramQuantile(buckets, 0.99),
    },
  };
}
