import type { z } from '@hono/zod-openapi';
import { newId } from '../core/ids.js';
import type { ApiDeps } from './deps.js';
import type { App } from '../store/types.js';
import { appNotFound } from './lookup.js';
import { presentAccepted } from './present.js';
import type { MessageCreate } from './schemas.js';

/**
 * The write path of `POST /v1/apps/{app}/messages`: durable before it returns (the caller answers 202).
 * One function serves the Hono route and the node:http fast path, so both behave the same.
 */
export async function ingestMessage(
  deps: ApiDeps,
  /**
   * The app (loadAppCached), loaded and counted against its `--api-rate-limit` before the body is read, so
   * a request over the limit or for another tenant's app costs no body read or parse.
   */
  app: App,
  appRef: string,
  body: z.infer<typeof MessageCreate>,
  /** `payload` exactly as sent (compacted): stored and delivered byte for byte (core/json-text.ts). */
  payloadText: string,
): Promise<ReturnType<typeof presentAccepted>> {
  await deps.eventTypes.checkMessage(body.eventType, body.payload);
  const now = deps.clock();
  const input = {
    message: {
      id: newId('msg', now),
      appId: app.id,
      eventType: body.eventType,
      eventId: body.eventId ?? null,
      payload: payloadText,
      timestamp: now,
    },
    newDeliveryId: () => newId('dlv', now),
  };
  // With a local dispatcher, fresh deliveries are leased to it in the same commit and sent from memory.
  const result = deps.dispatch
    ? await deps.dispatch.enqueue(input)
    : await deps.store.enqueueMessage({ ...input, leaseTo: null });
  if (result === null) {
    deps.apps.forget(); // deleted since it was cached
    throw appNotFound(appRef);
  }
  deps.messageAccepted(result.created);
  return presentAccepted(result.message);
}
