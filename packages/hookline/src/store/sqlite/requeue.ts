import { newId } from '../../core/ids.js';
import type { RequeueResult } from '../types.js';
import type { SqliteContext } from './context.js';
import type { EndpointRow, MessageRow } from './rows.js';
import { GET_ENDPOINT, GET_MESSAGE, INSERT_DELIVERY } from './statements.js';
import { DELIVERIES_TO_RESEND, RECOVER_FAILED, REOPEN_DELIVERY } from './statements-manage.js';

interface ResendRow {
  id: string;
  endpoint_id: string;
  status: string;
  locked_by: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Take a re-opened delivery's outcome back out of the counters; it is counted again when it finishes. */
function takeBackOutcome(ctx: SqliteContext, appId: string, d: ResendRow): void {
  if (d.status === 'succeeded') {
    ctx.stats.add(appId, d.endpoint_id, d.created_at, 0, -1, 0);
    ctx.stats.delay(appId, d.endpoint_id, d.created_at, (d.finished_at ?? d.created_at) - d.created_at, -1);
  } else if (d.status === 'failed') {
    ctx.stats.add(appId, d.endpoint_id, d.created_at, 0, 0, -1);
  }
}

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
      if (d.locked_by !== null) continue; // in flight right now: that attempt is the resend
      ctx.stmt(REOPEN_DELIVERY).run({ now, id: d.id });
      takeBackOutcome(ctx, appId, d);
      queued++;
    }
    if (endpointId !== null && deliveries.length === 0) {
      // The message never matched this endpoint (filter, or created later): it gets a delivery of its own.
      const endpoint = ctx.stmt(GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
      if (endpoint && endpoint.disabled === 0) {
        ctx.stmt(INSERT_DELIVERY).run({
          id: newId('dlv', now),
          appId,
          messageId,
          endpointId,
          nextAttemptAt: now,
          lockedBy: null,
          lockedUntil: null,
          createdAt: message.timestamp,
        });
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
