import type { HealthFallback, OperationalWebhookFallback } from './pending-types.js';
import { Apps } from './resources/apps.js';
import { Endpoints } from './resources/endpoints.js';
import { EventTypes } from './resources/event-types.js';
import { Messages } from './resources/messages.js';
import { StatsApi } from './resources/stats.js';
import { Tokens } from './resources/tokens.js';
import type { ResultOf } from './routes.js';
import { type HooklineOptions, type RequestOptions, Transport } from './transport.js';

/** What `GET /healthz` answers (200 healthy, 503 unhealthy). */
export type Health = ResultOf<'GET /healthz', HealthFallback>;
/** Where hookline sends its own (operational) events, with the secret to verify them. */
export type OperationalWebhook = ResultOf<'GET /v1/operational-webhook', OperationalWebhookFallback>;

/**
 * The typed hookline API client: one method per route, grouped by resource.
 *
 * ```ts
 * const hookline = new Hookline({ baseUrl: 'http://127.0.0.1:8080', token: process.env.HOOKLINE_TOKEN });
 * await hookline.messages.send('acme', { eventType: 'order.paid', payload: { orderId: '1001' } });
 * for await (const attempt of hookline.messages.attempts('acme', msgId)) console.log(attempt.status);
 * ```
 * Failed calls throw {@link HooklineApiError} (with the problem's `code`) or {@link HooklineNetworkError}.
 */
export class Hookline {
  readonly apps: Apps;
  readonly eventTypes: EventTypes;
  readonly endpoints: Endpoints;
  readonly messages: Messages;
  readonly tokens: Tokens;
  readonly stats: StatsApi;
  private readonly transport: Transport;

  constructor(options: HooklineOptions) {
    this.transport = new Transport(options);
    this.apps = new Apps(this.transport);
    this.eventTypes = new EventTypes(this.transport);
    this.endpoints = new Endpoints(this.transport);
    this.messages = new Messages(this.transport);
    this.tokens = new Tokens(this.transport);
    this.stats = new StatsApi(this.transport);
  }

  /** `GET /healthz` (no auth): resolves for healthy and unhealthy (503) alike; not retried by default. */
  health(options?: RequestOptions): Promise<Health> {
    return this.transport.call(
      'GET /healthz',
      { params: {}, okStatuses: [503] },
      { retry: false, ...options },
    );
  }

  /** `GET /v1/operational-webhook` (admin): where hookline sends its own events, and their secret. */
  operationalWebhook(options?: RequestOptions): Promise<OperationalWebhook> {
    return this.transport.call('GET /v1/operational-webhook', { params: {} }, options);
  }

  /** `GET /metrics` (no auth): the Prometheus text. */
  metrics(options?: RequestOptions): Promise<string> {
    return this.transport.call('GET /metrics', { params: {}, text: true }, options);
  }

  /** `GET /openapi.json` (no auth): the OpenAPI 3.1 document these types are generated from. */
  openApi(options?: RequestOptions): Promise<Record<string, unknown>> {
    return this.transport.call('GET /openapi.json', { params: {} }, options);
  }
}
