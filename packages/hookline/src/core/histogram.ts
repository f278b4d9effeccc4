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

/**
 * The q-quantile (0..1) of a sparse histogram of whole-millisecond delays; null when empty. It is the
 * nearest-rank sample (the ⌈q·n⌉-th smallest), placed as if the samples of its bucket were spread evenly
 * across it: one sample reads the same for every q, and so does a set that falls in one bucket. Delays are
 * whole milliseconds, so a bucket narrower than 2 ms (all below ≈ 12 ms) holds one possible value, read
 * exactly; wider ones are read to the millisecond, within the bucket (≈ 9 %).
 */
export function histogramQuantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) return null;
  const rank = Math.min(total, Math.max(1, Math.ceil(q * total))); // 1-based
  let seen = 0;
  const buckets = [...counts.keys()].sort((a, b) => a - b);
  for (const bucket of buckets) {
    const n = counts.get(bucket)!;
    if (n > 0 && seen + n >= rank) return withinBucket(bucket, (rank - seen - 0.5) / n);
    seen += n;
  }
  return withinBucket(buckets[buckets.length - 1]!, 1);
}

/** The whole millisecond at `position` (0..1) across the values bucket `b` can hold. */
function withinBucket(bucket: number, position: number): number {
  const first = bucket <= 0 ? 0 : Math.floor(bucketLower(bucket)) + 1; // lower bound excluded
  const last = Math.max(first, Math.floor(bucketUpper(bucket)));
  return Math.min(last, first + Math.floor(position * (last - first + 1)));
}

/** Minute a time falls in, the granularity of stored stats buckets. */
export function statsMinute(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}
