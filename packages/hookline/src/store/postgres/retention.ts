import { statsMinute } from '../../core/histogram.js';
import type { PurgeResult } from '../types.js';
import type { PostgresContext } from './context.js';
import * as sql from './statements-retention.js';
import { writeStats } from './stats.js';

/** See DeliveryStore.purgeExpired: one small batch in one transaction; safe in several processes at once. */
export function purgeExpired(ctx: PostgresContext, cutoff: number, limit: number, now: number): Promise<PurgeResult> {
  return ctx.transaction(async (tx) => {
    const cutoffMinute = statsMinute(cutoff);
    await tx.query(sql.PARK_STRAYS, [now, limit]);
    const expired = (
      await tx.query<{ app_id: string; endpoint_id: string; created_at: number }>(sql.EXPIRE_OLD_PENDING, [
        now,
        cutoff,
        limit,
      ])
    ).rows;
    await writeStats(tx, (stats) => {
      // Counters of minutes before the cutoff's are dropped below; only the cutoff's own minute stays.
      for (const d of expired) {
        if (statsMinute(d.created_at) >= cutoffMinute) stats.add(d.app_id, d.endpoint_id, d.created_at, 0, 0, 1);
      }
    });
    const removed = (await tx.query<{ id: string }>(sql.DELETE_EXPIRED_MESSAGES, [cutoff, limit])).rows;
    for (const text of sql.DELETE_OLD_STATS) await tx.query(text, [cutoffMinute]);
    const endpoints = (await tx.query(sql.DELETE_OLD_ENDPOINTS, [cutoff, limit])).rowCount ?? 0;
    return {
      messages: removed.length,
      expiredDeliveries: expired.length,
      endpoints,
      done: removed.length < limit && expired.length < limit && endpoints < limit,
    };
  });
}
