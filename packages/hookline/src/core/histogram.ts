/**
 * Log-scale delay histogram: bucket b > 0 holds delays in (2^((b-1)/8), 2^(b/8)] ms, about 9 % wide,
 * bucket 0 holds delays ≤ 1 ms. Stores keep sparse {bucket → count} per minute, so percentiles over any
 * window come from summing counters instead of scanning history.
 */
const STEPS_PER_DOUBLING = 8;

export function delayBucket(delayMs: number): number {
  if (!(delayMs > 1)) return 0;
  return Math.ceil(Math.log2(delayMs) * STEPS_PER_DOUBLING);
}

function bucketUpper(bucket: number): number {
  return bucket <= 0 ? 1 : 2 ** (bucket / STEPS_PER_DOUBLING);
}

function bucketLower(bucket: number): number {
  return bucket <= 0 ? 0 : 2 ** ((bucket - 1) / STEPS_PER_DOUBLING);
}

/** The q-quantile (0..1) of a sparse histogram, interpolated within its bucket; null when empty. */
export function histogramQuantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    const n = counts.get(bucket)!;
    if (seen + n >= rank) {
      const lower = bucketLower(bucket);
      const upper = bucketUpper(bucket);
      const within = n === 0 ? 0 : (rank - seen) / n;
      return Math.round((lower + (upper - lower) * within) * 100) / 100;
    }
    seen += n;
  }
  return bucketUpper(Math.max(...counts.keys()));
}

/** Minute a time falls in, the granularity of stored stats buckets. */
export function statsMinute(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}
