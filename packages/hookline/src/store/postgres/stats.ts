import { type DelayRow, StatsAccumulator, type StatsRow } from '../stats-accumulator.js';
import { type EdgeDelivery, summarize, windowOf, withEdge } from '../stats-window.js';
import type { DeliveryStats, StatsWindow } from '../types.js';
import type { PostgresContext } from './context.js';
import type { PgQueryable } from './driver.js';
import * as sql from './statements.js';

/**
 * Append counter and delay deltas, and NOTIFY new work when `announce`, in one statement (insert-only:
 * no lock shared with other writers).
 */
export async function insertStatsDeltas(
  tx: PgQueryable,
  counters: StatsRow[],
  delays: DelayRow[],
  announce = false,
): Promise<void> {
  if (counters.length === 0 && delays.length === 0 && !announce) return;
  await tx.query(sql.INSERT_STATS_DELTAS, [
    counters.map((r) => r.appId),
    counters.map((r) => r.endpointId),
    counters.map((r) => r.minute),
    counters.map((r) => r.count),
    counters.map((r) => r.succeeded),
    counters.map((r) => r.failed),
    delays.map((r) => r.appId),
    delays.map((r) => r.endpointId),
    delays.map((r) => r.minute),
    delays.map((r) => r.bucket),
    delays.map((r) => r.n),
    announce,
  ]);
}

/** Write the deltas of `stats` inside `tx` (and NOTIFY when `announce`), and start it over. */
export async function flushStats(tx: PgQueryable, stats: StatsAccumulator, announce = false): Promise<void> {
  const counters: StatsRow[] = [];
  const delays: DelayRow[] = [];
  stats.flush(
    (row) => counters.push(row),
    (row) => delays.push(row),
  );
  await insertStatsDeltas(tx, counters, delays, announce);
}

/** Record the stats changes `count` makes, inside `tx` (admin writes outside the group-commit path). */
export async function writeStats(tx: PgQueryable, count: (stats: StatsAccumulator) => void): Promise<void> {
  const stats = new StatsAccumulator();
  count(stats);
  stats.keepJob();
  await flushStats(tx, stats);
}

/**
 * Count, Success rate and Delay of the deliveries created at or after `since` (per-minute counters and
 * pending deltas, less the deliveries of `since`'s own minute created before it): of all apps, one, or one
 * endpoint.
 */
export async function deliveryStats(ctx: PostgresContext, window: StatsWindow): Promise<DeliveryStats> {
  const { countersFrom: since, rows } = windowOf(window.since);
  const endpointId = window.endpointId ?? null;
  const [totalsSql, delaySql, params] =
    endpointId !== null
      ? [sql.SUM_ENDPOINT_STATS, sql.SUM_ENDPOINT_DELAY, [window.appId, endpointId, since]]
      : [sql.SUM_STATS, sql.SUM_DELAY, [window.appId, since]];
  const [totals] = await ctx.rows<{ count: number; succeeded: number; failed: number }>(totalsSql, params);
  const buckets = new Map<number, number>();
  for (const row of await ctx.rows<{ bucket: number; n: number }>(delaySql, params)) {
    if (row.n > 0) buckets.set(row.bucket, row.n);
  }
  const edge = rows ? await ctx.rows<EdgeDelivery>(sql.STATS_EDGE, [window.appId, endpointId, rows.from, rows.to]) : [];
  return summarize(withEdge({ ...(totals ?? { count: 0, succeeded: 0, failed: 0 }), buckets }, edge, rows?.sign ?? 1));
}
