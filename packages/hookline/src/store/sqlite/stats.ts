import { type EdgeDelivery, summarize, windowOf, withEdge } from '../stats-window.js';
import type { DeliveryStats, StatsWindow } from '../types.js';
import type { SqliteContext } from './context.js';
import * as sql from './statements.js';

/**
 * Count, Success rate and Delay of the deliveries created at or after `since`: of every app, one app, or
 * one endpoint. Whole minutes come from the per-minute counters, the rest of `since`'s own minute from the
 * deliveries' rows (stats-window.ts).
 */
export function deliveryStats(ctx: SqliteContext, window: StatsWindow): DeliveryStats {
  const { countersFrom: since, rows } = windowOf(window.since);
  const endpointId = window.endpointId ?? null;
  const params = { appId: window.appId, endpointId, since };
  const [totalsSql, delaySql] =
    endpointId !== null ? [sql.SUM_ENDPOINT_STATS, sql.SUM_ENDPOINT_DELAY] : [sql.SUM_STATS, sql.SUM_DELAY];
  const totals = ctx.stmt(totalsSql).get(params) as { count: number; succeeded: number; failed: number };
  const buckets = new Map<number, number>();
  for (const row of ctx.stmt(delaySql).all(params) as Array<{ bucket: number; n: number }>) {
    if (row.n > 0) buckets.set(row.bucket, row.n);
  }
  const edge = rows
    ? (ctx.stmt(sql.STATS_EDGE).all({ appId: window.appId, endpointId, from: rows.from, to: rows.to }) as EdgeDelivery[])
    : [];
  return summarize(withEdge({ ...totals, buckets }, edge, rows?.sign ?? 1));
}
