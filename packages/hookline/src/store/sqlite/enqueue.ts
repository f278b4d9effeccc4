import { endpointWantsEvent } from '../../core/envelope.js';
import { activeSecrets, type EndpointSecret } from '../../core/secrets.js';
import type { ClaimedDelivery, EnqueueInput, EnqueueResult } from '../types.js';
import { findApp } from './apps.js';
import type { EnqueueTarget } from './config-cache.js';
import { HOT_PATH, type SqliteContext } from './context.js';
import { type EndpointRow, type MessageRow, toMessage } from './rows.js';
import * as sql from './statements.js';

/**
 * See DeliveryStore.enqueueMessage: the message and one delivery per matching enabled endpoint, in the
 * next group commit; fresh deliveries leased to `leaseTo` come back to be sent from memory.
 */
export function enqueueMessage(ctx: SqliteContext, input: EnqueueInput): Promise<EnqueueResult | null> {
  return ctx.write(() => enqueueNow(ctx, input), HOT_PATH);
}

function enqueueNow(ctx: SqliteContext, { message, leaseTo, newDeliveryId }: EnqueueInput): EnqueueResult | null {
  if (!findApp(ctx, message.appId)) return null;
  if (message.eventId !== null) {
    const existing = ctx.stmt(sql.FIND_MESSAGE_BY_EVENT_ID).get(message.appId, message.eventId) as
      | MessageRow
      | undefined;
    if (existing) return { message: toMessage(existing), created: false, leased: [] };
  }
  const { id, appId, eventType, eventId, payload, timestamp } = message;
  ctx.stmt(sql.INSERT_MESSAGE).run(id, appId, eventType, eventId, payload, timestamp);
  const leased: ClaimedDelivery[] = [];
  for (const target of enqueueTargets(ctx, message.appId)) {
    if (!endpointWantsEvent(target.eventTypes, message.eventType)) continue;
    const deliveryId = newDeliveryId();
    ctx.stmt(sql.INSERT_DELIVERY).run(
      deliveryId,
      message.appId,
      message.id,
      target.id,
      leaseTo ? leaseTo.until : message.timestamp,
      leaseTo?.workerId ?? null,
      leaseTo?.until ?? null,
      message.timestamp,
    );
    ctx.stats.add(message.appId, target.id, message.timestamp, 1, 0, 0);
    if (leaseTo) {
      leased.push({
        deliveryId,
        messageId: message.id,
        appId: message.appId,
        endpointId: target.id,
        url: target.url,
        headers: target.headers,
        secrets: activeSecrets(target.secrets, message.timestamp),
        eventType: message.eventType,
        timestamp: message.timestamp,
        payload: message.payload,
        attemptsMade: 0,
        scheduleStart: 0,
        rateLimit: target.rateLimit,
      });
    }
  }
  return { message: { ...message }, created: true, leased };
}

/** The enabled endpoints of an app, parsed once and cached until apps or endpoints change. */
function enqueueTargets(ctx: SqliteContext, appId: string): EnqueueTarget[] {
  let targets = ctx.cache.targets.get(appId);
  if (!targets) {
    const rows = ctx.stmt(sql.ENABLED_ENDPOINTS_OF_APP).all(appId) as EndpointRow[];
    targets = rows.map((row) => ({
      id: row.id,
      url: row.url,
      eventTypes: JSON.parse(row.event_types) as string[],
      headers: JSON.parse(row.headers) as Record<string, string>,
      secrets: JSON.parse(row.secrets) as EndpointSecret[],
      rateLimit: row.rate_limit,
    }));
    ctx.cache.targets.set(appId, targets);
  }
  return targets;
}
