import { newId } from '../../core/ids.js';
import type { ReopenedDelivery } from '../stats-accumulator.js';
import type { RequeueResult } from '../types.js';
import type { SqliteContext } from './context.js';
import type { EndpointRow, MessageRow } from './rows.js';
import { GET_ENDPOINT, GET_MESSAGE, INSERT_DELIVERY } from './statements.js';
import {
  DELIVERIES_TO_RESEND,
  MARK_ADDED_BY_RESEND,
  RECOVER_FAILED,
  REOPEN_DELIVERY,
  RESEND_AFTER_FLIGHT,
} from './statements-manage.js';

type ResendRow = ReopenedDelivery;

/** See DeliveryStore.resendMessage. */
export function resendMessage(
  ctx: SqliteContext,
  appId: string,
  messageId: string,
  endpointId: string | null,
  now: number,
): Promise<RequeueResult> {
  return ctx.write(() => {
    const message = ctx.stmt(GET_MESSAGE).get(appId, messageId) as MessageRow | undefined;
    if (!message) return { queued: 0 };
    const deliveries = ctx.stmt(DELIVERIES_TO_RESEND).all({ messageId, appId, endpointId }) as ResendRow[];
    let queued = 0;
    for (const d of deliveries) {
      if (d.locked_by !== null) {
        // In flight right now: sent again once that attempt is recorded, whatever its outcome.
        queued += ctx.stmt(RESEND_AFTER_FLIGHT).run({ now, id: d.id }).changes;
        continue;
      }
      ctx.stmt(REOPEN_DELIVERY).run({ now, id: d.id });
      ctx.stats.takeBack(appId, d);
      queued++;
    }
    if (endpointId !== null && deliveries.length === 0) {
      // The message never matched this endpoint (filter, or created later): it gets a delivery of its own.
      const endpoint = ctx.stmt(GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
      if (endpoint && endpoint.disabled === 0) {
        const id = newId('dlv', now);
        ctx.stmt(INSERT_DELIVERY).run(id, appId, messageId, endpointId, now, null, null, message.timestamp);
        ctx.stmt(MARK_ADDED_BY_RESEND).run(id);
        ctx.stats.add(appId, endpointId, message.timestamp, 1, 0, 0);
        queued++;
      }
    }
    return { queued };
  });
}

/** See DeliveryStore.recoverEndpoint. */
export function recoverEndpoint(
  ctx: SqliteContext,
  appId: string,
  endpointId: string,
  since: number,
  now: number,
): Promise<RequeueResult> {
  return ctx.write(() => {
    const endpoint = ctx.stmt(GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
    if (!endpoint || endpoint.disabled === 1) return { queued: 0 };
    const reopened = ctx.stmt(RECOVER_FAILED).all({ now, endpointId, appId, since }) as Array<{
      created_at: number;
    }>;
    for (const d of reopened) ctx.stats.add(appId, endpointId, d.created_at, 0, 0, -1);
    return { queued: reopened.length };
  });
}
