import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import { generateSecret } from '../core/secrets.js';
import { ConflictError } from '../store/errors.js';
import type { DeliveryStore, RecordResult } from '../store/port.js';
import type { AttemptOutcome, Endpoint } from '../store/types.js';

/**
 * The platform's own webhooks about hookline (Svix calls them operational webhooks). They are ordinary
 * messages of a reserved app whose one endpoint is `--operational-webhook-url`, so they are signed, retried
 * and inspectable like any other (`/v1/apps/hookline:operational/messages`). The uid contains a `:`, which
 * no API-created app's uid may, so no tenant can take or collide with it.
 */
export const OPERATIONAL_APP_UID = 'hookline:operational';

export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.exhausted',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** Where operational events go: the reserved app and its endpoint. */
export interface OperationalTarget {
  appId: string;
  endpointId: string;
}

/** What the admin route shows: where events go and the secret that signs them. */
export interface OperationalWebhookInfo extends OperationalTarget {
  url: string;
  secret: string;
  disabled: boolean;
  eventTypes: string[];
}

/**
 * Make sure the reserved app has exactly one endpoint, pointing at `url` (an existing one keeps its secret).
 * Several processes starting at once on one database may each create one; they all keep the oldest.
 */
export async function ensureOperationalEndpoint(
  store: DeliveryStore,
  url: string,
  now: number,
): Promise<OperationalTarget> {
  let app = await store.findApp(OPERATIONAL_APP_UID);
  if (!app) {
    try {
      app = await store.createApp({
        id: newId('app', now),
        name: 'hookline operational webhooks',
        uid: OPERATIONAL_APP_UID,
        createdAt: now,
      });
    } catch (error) {
      app = error instanceof ConflictError ? await store.findApp(OPERATIONAL_APP_UID) : null;
      if (!app) throw error;
    }
  }
  const appId = app.id;
  const list = async () => (await store.listEndpoints(appId, { limit: 250 })).data;
  let endpoints = await list();
  if (endpoints.length === 0) {
    await store.createEndpoint({
      id: newId('ep', now),
      appId,
      url,
      description: 'hookline operational webhooks',
      eventTypes: [],
      disabled: false,
      rateLimit: null,
      headers: {},
      secret: generateSecret(),
      createdAt: now,
    });
    endpoints = await list();
  }
  const [keep, ...extra] = [...endpoints].reverse(); // oldest first
  for (const endpoint of extra) await store.deleteEndpoint(appId, endpoint.id, now);
  if (keep!.url !== url) await store.updateEndpoint(appId, keep!.id, { url, updatedAt: now });
  return { appId, endpointId: keep!.id };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Emits operational events as messages of the reserved app. Failures are logged, never thrown at callers. */
export class OperationalWebhooks {
  constructor(
    private readonly store: DeliveryStore,
    readonly target: OperationalTarget,
    private readonly clock: () => number,
    private readonly logger: Logger,
    /** Tell the local dispatcher new work is queued. */
    private readonly wake: () => void,
  ) {}

  async describe(): Promise<OperationalWebhookInfo | null> {
    const endpoint = await this.store.getEndpoint(this.target.appId, this.target.endpointId);
    if (!endpoint) return null;
    return {
      ...this.target,
      url: endpoint.url,
      secret: endpoint.secrets[0]!.secret,
      disabled: endpoint.disabled,
      eventTypes: [...OPERATIONAL_EVENT_TYPES],
    };
  }

  /** An endpoint was disabled: by its owner through the API, or by hookline (410 Gone, failing too long). */
  endpointDisabled(endpoint: Endpoint, trigger: 'manual' | 'automatic'): void {
    this.inBackground(async () => {
      const data = await this.endpointData(endpoint);
      await this.emit('endpoint.disabled', { ...data, trigger, failingSince: iso(endpoint.failingSince) });
    });
  }

  endpointEnabled(endpoint: Endpoint): void {
    this.inBackground(async () => this.emit('endpoint.enabled', await this.endpointData(endpoint)));
  }

  /** The dispatcher's results: endpoints it disabled, and deliveries whose retry schedule ran out. */
  outcomesRecorded(outcomes: AttemptOutcome[], result: RecordResult): void {
    if (result.disabledEndpoints.length === 0 && !outcomes.some((o) => o.next.kind === 'failed')) return;
    const applied = new Set(result.applied);
    for (const id of result.resent) applied.delete(id); // sent again: not given up
    for (const endpointId of new Set(result.disabledEndpoints)) {
      const appId = outcomes.find((o) => o.endpointId === endpointId)?.appId;
      if (appId === undefined || appId === this.target.appId) continue;
      this.inBackground(async () => {
        const endpoint = await this.store.getEndpoint(appId, endpointId);
        if (endpoint) this.endpointDisabled(endpoint, 'automatic');
      });
    }
    for (const outcome of outcomes) {
      // A 410 gives up at once (endpoint.disabled says so); only a spent schedule is "exhausted".
      const exhausted = outcome.next.kind === 'failed' && !outcome.disableEndpoint;
      if (!exhausted || !applied.has(outcome.deliveryId) || outcome.appId === this.target.appId) continue;
      this.inBackground(() => this.attemptExhausted(outcome));
    }
  }

  private async attemptExhausted(outcome: AttemptOutcome): Promise<void> {
    const [app, message] = await Promise.all([
      this.store.findApp(outcome.appId),
      this.store.getMessage(outcome.appId, outcome.messageId),
    ]);
    const { attempt } = outcome;
    await this.emit('message.attempt.exhausted', {
      appId: outcome.appId,
      appUid: app?.uid ?? null,
      messageId: outcome.messageId,
      eventType: message?.eventType ?? null,
      eventId: message?.eventId ?? null,
      endpointId: outcome.endpointId,
      lastAttempt: {
        id: attempt.id,
        attemptNumber: attempt.attemptNumber,
        responseStatusCode: attempt.responseStatusCode,
        error: attempt.error,
        timestamp: iso(attempt.createdAt),
      },
    });
  }

  private async endpointData(endpoint: Endpoint) {
    const app = await this.store.findApp(endpoint.appId);
    return { appId: endpoint.appId, appUid: app?.uid ?? null, endpointId: endpoint.id, url: endpoint.url };
  }

  private async emit(type: OperationalEventType, data: Record<string, unknown>): Promise<void> {
    if (data.appId === this.target.appId) return; // never about its own endpoint: no feedback loop
    const now = this.clock();
    const result = await this.store.enqueueMessage({
      message: {
        id: newId('msg', now),
        appId: this.target.appId,
        eventType: type,
        eventId: null,
        payload: JSON.stringify(data),
        timestamp: now,
      },
      leaseTo: null,
      newDeliveryId: () => newId('dlv', now),
    });
    if (result === null) this.logger.warn({ appId: this.target.appId }, 'operational webhook not queued: its app was deleted');
    else if (result.created) this.wake();
  }

  /** Run without holding up the caller; a failure is logged, never thrown. */
  private inBackground(job: () => Promise<void>): void {
    job().catch((error: unknown) => this.logger.error({ err: error }, 'operational webhook not queued'));
  }
}
