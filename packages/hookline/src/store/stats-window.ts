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

/** A delivery of `since`'s own minute, read from its row: as the counters hold it. */
export interface EdgeDelivery {
  status: string;
  /** finished_at − created_at: the delay its success was counted with. */
  delay: number | null;
}

/**
 * How a window starting at `since` is read. Stats are kept per minute, so the counters are summed from
 * `countersFrom`, and the part of `since`'s minute they get wrong is read from the deliveries' rows
 * ([from, to), scanned message by message, ≈ 1 µs a row on the thread that serves the API): the
 * deliveries before `since` taken out of that minute's counters (sign −1), or those from `since` to the
 * minute's end added to the counters of the minutes after it (sign +1), whichever is the shorter stretch,
 * so at most half a minute of rows. No rows when `since` starts its minute or is absent.
 */
export function windowOf(since: number | null): {
  countersFrom: number;
  rows: { from: number; to: number; sign: 1 | -1 } | null;
} {
  if (since === null) return { countersFrom: 0, rows: null };
  const minute = statsMinute(since);
  if (minute === since) return { countersFrom: since, rows: null };
  const next = minute + 60_000;
  return since - minute <= next - since
    ? { countersFrom: minute, rows: { from: minute, to: since, sign: -1 } }
    : { countersFrom: next, rows: { from: since, to: next, sign: 1 } };
}

/** Take the deliveries before `since` out of the sums (sign −1), or add those after it (sign +1). */
export function withEdge(sums: MinuteSums, edge: readonly EdgeDelivery[], sign: 1 | -1): MinuteSums {
  for (const d of edge) {
    sums.count += sign;
    if (d.status === 'failed') sums.failed += sign;
    if (d.status !== 'succeeded') continue;
    sums.succeeded += sign;
    const bucket = delayBucket(d.delay ?? 0);
    const n = (sums.buckets.get(bucket) ?? 0) + sign;
    if (n > 0) sums.buckets.set(bucket, n);
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
