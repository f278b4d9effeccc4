import type { z } from '@hono/zod-openapi';
import { newId } from '../core/ids.js';
import type { ApiDeps } from './deps.js';
import { appNotFound, loadAppCached } from './lookup.js';
import { presentAccepted } from './present.js';
import type { Principal } from './route.js';
import type { MessageCreate } from './schemas.js';

/**
 * The write path of `POST /v1/apps/{app}/messages`: durable before it returns (the caller answers 202).
 * One function serves the Hono route and the node:http fast path, so both behave the same.
 */
export async function ingestMessage(
  deps: ApiDeps,
  principal: Principal | null,
  appRef: string,
  body: z.infer<typeof MessageCreate>,
): Promise<ReturnType<typeof presentAccepted>> {
  const app = await loadAppCached(deps, appRef, principal);
  await deps.eventTypes.checkMessage(body.eventType, body.payload);
  const now = deps.clock();
  const dispatch = deps.dispatch;
  // Fresh deliveries are leased to this process in the same transaction and sent from memory.
  const leaseTo = dispatch?.hasCapacity() ? { workerId: dispatch.workerId, until: now + deps.leaseMs } : null;
  const result = await deps.store.enqueueMessage({
    message: {
      id: newId('msg', now),
      appId: app.id,
      eventType: body.eventType,
      eventId: body.eventId ?? null,
      payload: JSON.stringify(body.payload),
      timestamp: now,
    },
    leaseTo,
    newDeliveryId: () => newId('dlv', now),
  });
  if (result === null) {
    deps.apps.forget(); // deleted since it was cached
    throw appNotFound(appRef);
  }
  if (result.leased.length > 0) dispatch?.accept(result.leased);
  else if (result.created) dispatch?.wake();
  deps.messageAccepted(result.created);
  return presentAccepted(result.message);
}
