import { newId } from '../../core/ids.js';
import type { ReopenedDelivery } from '../stats-accumulator.js';
import type { RequeueResult } from '../types.js';
import type { PostgresContext } from './context.js';
import type { EndpointRow, MessageRow } from './rows.js';
import { GET_ENDPOINT, GET_MESSAGE, INSERT_DELIVERIES, LOCK_APPS_SHARED, NOTIFY_NEW_WORK } from './statements.js';
import {
  DELIVERIES_TO_RESEND,
  MARK_ADDED_BY_RESEND,
  RECOVER_FAILED,
  REOPEN_DELIVERIES,
  RESEND_AFTER_FLIGHT,
} from './statements-manage.js';
import { writeStats } from './stats.js';

type ResendRow = ReopenedDelivery;

/** See DeliveryStore.resendMessage. The deliveries are locked, so a concurrent claim or resend waits. */
export function resendMessage(
  ctx: PostgresContext,
  appId: string,
  messageId: string,
  endpointId: string | null,
  now: number,
): Promise<RequeueResult> {
  return ctx.transaction(async (tx) => {
    await tx.query(LOCK_APPS_SHARED, [[appId]]);
    const [message] = (await tx.query<MessageRow>(GET_MESSAGE, [appId, messageId])).rows;
    if (!message) return { queued: 0 };
    const deliveries = (await tx.query<ResendRow>(DELIVERIES_TO_RESEND, [appId, messageId, endpointId])).rows;
    const idle = deliveries.filter((d) => d.locked_by === null);
    const reopened = new Set(
      idle.length === 0
        ? []
        : (await tx.query<{ id: string }>(REOPEN_DELIVERIES, [now, idle.map((d) => d.id)])).rows.map((r) => r.id),
    );
    // One in flight right now is sent again once that attempt is recorded, whatever its outcome.
    const leased = deliveries.filter((d) => d.locked_by !== null).map((d) => d.id);
    const afterFlight =
      leased.length === 0 ? 0 : (await tx.query(RESEND_AFTER_FLIGHT, [now, leased])).rowCount ?? 0;
    let created = false;
    if (endpointId !== null && deliveries.length === 0) {
      // The message never matched this endpoint (filter, or created later): it gets a delivery of its own.
      const [endpoint] = (await tx.query<EndpointRow>(GET_ENDPOINT, [appId, endpointId])).rows;
      if (endpoint && !endpoint.disabled) {
        const id = newId('dlv', now);
        await tx.query(INSERT_DELIVERIES, [
          [id],
          [appId],
          [messageId],
          [endpointId],
          [now],
          [null],
          [null],
          [message.timestamp],
        ]);
        await tx.query(MARK_ADDED_BY_RESEND, [id]);
        created = true;
      }
    }
    await writeStats(tx, (stats) => {
      for (const d of idle) if (reopened.has(d.id)) stats.takeBack(appId, d);
      if (created) stats.add(appId, endpointId!, message.timestamp, 1, 0, 0);
    });
    const queued = reopened.size + afterFlight + (created ? 1 : 0);
    if (reopened.size > 0 || created) await tx.query(NOTIFY_NEW_WORK);
    return { queued };
  });
}

/** See DeliveryStore.recoverEndpoint. */
export function recoverEndpoint(
  ctx: PostgresContext,
  appId: string,
  endpointId: string,
  since: number,
  now: number,
): Promise<RequeueResult> {
  return ctx.transaction(async (tx) => {
    await tx.query(LOCK_APPS_SHARED, [[appId]]);
    const [endpoint] = (await tx.query<EndpointRow>(GET_ENDPOINT, [appId, endpointId])).rows;
    if (!endpoint || endpoint.disabled) return { queued: 0 };
    const reopened = (await tx.query<{ created_at: number }>(RECOVER_FAILED, [appId, endpointId, since, now])).rows;
    await writeStats(tx, (stats) => {
      for (const d of reopened) stats.add(appId, endpointId, d.created_at, 0, 0, -1);
    });
    if (reopened.length > 0) await tx.query(NOTIFY_NEW_WORK);
    return { queued: reopened.length };
  });
}
