/**
 * Types from CONTRACT.md for routes the server's OpenAPI document does not describe yet. They are only
 * fallbacks: once a route is in docs/openapi.json, `npm run docs` regenerates api-types.ts and the
 * generated types replace these (routes.ts looks each route up there first). Keep them loose rather
 * than guessing fields the contract does not name.
 */
import type { components } from './api-types.js';

type Schemas = components['schemas'];

/** `POST /v1/event-types` body. */
export interface EventTypeCreateFallback {
  name: string;
  description?: string;
  /** JSON Schema that a message's `payload` of this type must match. */
  schema?: Record<string, unknown>;
}

/** `PATCH /v1/event-types/{name}` body. */
export interface EventTypeUpdateFallback {
  description?: string;
  schema?: Record<string, unknown> | null;
}

/** An event type as the API answers it. */
export interface EventTypeFallback {
  name: string;
  description?: string;
  schema?: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** A page of any list route. */
export interface PageFallback<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/** Query of every list route: `limit` 1..250 (default 50) and the previous page's `iterator`. */
export interface ListQueryFallback {
  limit?: number;
  iterator?: string;
}

/** Query of `GET /v1/apps/{app}/messages`. */
export interface MessageListQueryFallback extends ListQueryFallback {
  eventType?: string;
  /** Only messages created after this ISO 8601 time. */
  after?: string;
  /** Only messages created before this ISO 8601 time. */
  before?: string;
}

/** A message as `GET /v1/apps/{app}/messages` lists it. */
export type MessageListItemFallback = Schemas['MessageAccepted'] & { payload?: Record<string, unknown> };

/** `POST /v1/apps/{app}/messages/{msg}/resend` body: one endpoint, or every one the message matched. */
export interface ResendFallback {
  endpointId?: string;
}

/** `POST /v1/apps/{app}/endpoints/{ep}/recover` body. */
export interface RecoverFallback {
  /** ISO 8601 time: re-send every delivery that failed for messages created at or after it. */
  since: string;
}

/** `POST /v1/apps/{app}/endpoints/{ep}/secret/rotate` body: the new secret, or one generated. */
export interface RotateSecretFallback {
  secret?: string;
}

/** `POST /v1/apps/{app}/tokens` body. */
export interface TokenCreateFallback {
  name?: string;
}

/** An app-scoped token as listed (without the token itself). */
export interface TokenFallback {
  id: string;
  [field: string]: unknown;
}

/** An app-scoped token, shown once at creation. */
export interface TokenCreatedFallback extends TokenFallback {
  token: string;
}

/** `?since` of the stats routes. */
export interface StatsQueryFallback {
  since?: string;
}

/** `GET /v1/operational-webhook`: where hookline sends its own events, and their secret. */
export interface OperationalWebhookFallback {
  url: string;
  secret: string;
  [field: string]: unknown;
}

/** `GET /healthz` (outside the OpenAPI document). */
export interface HealthFallback {
  status: 'ok' | 'unhealthy';
  version: string;
  [detail: string]: unknown;
}
