import { histogramQuantile, statsMinute } from '../../core/histogram.js';
import type { DeliveryStats, StatsWindow } from '../types.js';
import type { SqliteContext } from './context.js';
import * as sql from './statements.js';

/** Count, Success rate and Delay from the per-minute counters: of every app, one app, or one endpoint. */
export function deliveryStats(ctx: SqliteContext, window: StatsWindow): DeliveryStats {
  const since = window.since === null ? 0 : statsMinute(window.since);
  const endpointId = window.endpointId ?? null;
  const params = { appId: window.appId, endpointId, since };
  const [totalsSql, delaySql] =
    endpointId !== null ? [sql.SUM_ENDPOINT_STATS, sql.SUM_ENDPOINT_DELAY] : [sql.SUM_STATS, sql.SUM_DELAY];
  const totals = ctx.stmt(totalsSql).get(params) as { count: number; succeeded: number; failed: number };
  const buckets = new Map<number, number>();
  for (const row of ctx.stmt(delaySql).all(params) as Array<{ bucket: number; n: number }>) {
    if (row.n > 0) buckets.set(row.bucket, row.n);
  }
  const finished = totals.succeeded + totals.failed;
  return {
    count: totals.count,
    succeeded: totals.succeeded,
    failed: totals.failed,
    pending: Math.max(0, totals.count - finished),
    successRate: finished === 0 ? null : totals.succeeded / finished,
    delayMs: {
      p50: histogramQuantile(buckets, 0.5),
      p95: histogramQuantile(buckets, 0.95),
      p99: histogramQuantile(buckets, 0.99),
    },
  };
}
