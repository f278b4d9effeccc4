import { statsMinute } from '../../core/histogram.js';
import type { PurgeResult } from '../types.js';
import type { SqliteContext } from './context.js';
import * as sql from './statements-retention.js';

/** See DeliveryStore.purgeExpired: one small batch inside one group-commit transaction. */
export function purgeExpired(
  ctx: SqliteContext,
  cutoff: number,
  limit: number,
  now: number,
): Promise<PurgeResult> {
  return ctx.write(() => {
    const cutoffMinute = statsMinute(cutoff);
    ctx.stmt(sql.PARK_STRAYS).run({ now, limit });
    const expired = ctx.stmt(sql.EXPIRE_OLD_PENDING).all({ now, cutoff, limit }) as Array<{
      app_id: string;
      endpoint_id: string;
      created_at: number;
    }>;
    for (const d of expired) {
      // Counters of minutes before the cutoff's are dropped below; only the cutoff's own minute stays.
      if (statsMinute(d.created_at) >= cutoffMinute) {
        ctx.stats.add(d.app_id, d.endpoint_id, d.created_at, 0, 0, 1);
      }
    }
    const rows = ctx.stmt(sql.EXPIRED_MESSAGES).all({ cutoff, limit }) as Array<{ id: string }>;
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) {
      const json = JSON.stringify(ids);
      for (const text of sql.DELETE_MESSAGES_ROWS) ctx.stmt(text).run(json);
    }
    for (const text of sql.DELETE_OLD_STATS) ctx.stmt(text).run(cutoffMinute);
    const endpoints = ctx.stmt(sql.DELETE_OLD_ENDPOINTS).run({ cutoff, limit }).changes;
    return {
      messages: ids.length,
      expiredDeliveries: expired.length,
      endpoints,
      done: ids.length < limit && expired.length < limit && endpoints < limit,
    };
  });
}
