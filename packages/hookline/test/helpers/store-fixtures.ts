import { newId } from '../../src/core/ids.js';
import type { DeliveryStore } from '../../src/store/port.js';
import type { AttemptOutcome, ClaimedDelivery, EnqueueResult } from '../../src/store/types.js';

/** A fixed clock for store tests: times are explicit, so leases and due times are tested without waiting. */
export const T0 = 1_800_000_000_000;
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** An app with one endpoint per entry of `endpoints`. */
export async function seed(
  store: DeliveryStore,
  endpoints: Array<{ eventTypes: string[]; disabled?: boolean }>,
) {
  const app = await store.createApp({ id: newId('app', T0), name: 'a', uid: null, createdAt: T0 });
  const eps = [];
  for (const e of endpoints) {
    eps.push(
      await store.createEndpoint({
        id: newId('ep', T0),
        appId: app.id,
        url: 'http://127.0.0.1:9/x',
        description: '',
        eventTypes: e.eventTypes,
        disabled: e.disabled ?? false,
        rateLimit: null,
        headers: {},
        secret: SECRET,
        createdAt: T0,
      }),
    );
  }
  return { app, eps };
}

export const enqueue = (
  store: DeliveryStore,
  appId: string,
  eventType: string,
  eventId: string | null = null,
  leaseTo: { workerId: string; until: number } | null = null,
  timestamp = T0,
): Promise<EnqueueResult> =>
  store
    .enqueueMessage({
      message: { id: newId('msg', timestamp), appId, eventType, eventId, payload: '{"x":1}', timestamp },
      leaseTo,
      newDeliveryId: () => newId('dlv', timestamp),
    })
    .then((result) => {
      if (result === null) throw new Error(`enqueue: no app ${appId}`);
      return result;
    });

/** The outcome a worker would record for `d` at time `at`. */
export const outcome = (d: ClaimedDelivery, next: AttemptOutcome['next'], at: number): AttemptOutcome => ({
  deliveryId: d.deliveryId,
  appId: d.appId,
  messageId: d.messageId,
  endpointId: d.endpointId,
  messageTimestamp: d.timestamp,
  attempt: {
    id: newId('atmpt', at),
    messageId: d.messageId,
    endpointId: d.endpointId,
    attemptNumber: d.attemptsMade + 1,
    status: next.kind === 'succeeded' ? 'succeeded' : 'failed',
    responseStatusCode: next.kind === 'succeeded' ? 200 : 500,
    responseBody: '',
    durationMs: 3,
    error: next.kind === 'succeeded' ? null : 'HTTP 500',
    createdAt: at,
  },
  next,
  disableEndpoint: false,
  disableIfFailingSince: null,
});
