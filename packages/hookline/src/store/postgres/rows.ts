import type { Endpoint, EndpointSecret, EventType } from '../types.js';

export {
  type AppRow,
  type AppTokenRow,
  type AttemptRow,
  type ClaimedRow,
  type MessageRow,
  type MessageSummaryRow,
  toApp,
  toAppToken,
  toAttempt,
  toClaimed,
  toMessage,
  toMessageSummary,
} from '../rows.js';

/**
 * Row shapes as PostgreSQL returns them through driver.ts (bigint → number, jsonb parsed, text[] as
 * arrays), and their mapping to domain records. Parallel to sqlite/rows.ts.
 */

export interface EndpointRow {
  id: string;
  app_id: string;
  url: string;
  description: string;
  event_types: string[];
  disabled: boolean;
  rate_limit: number | null;
  headers: Record<string, string>;
  secrets: EndpointSecret[];
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface EventTypeRow {
  id: string;
  name: string;
  description: string;
  /** JSON text, as registered. */
  schema: string | null;
  archived: boolean;
  created_at: number;
  updated_at: number;
}

export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  disabled: r.disabled,
  rateLimit: r.rate_limit,
  headers: r.headers,
  secrets: r.secrets,
  failingSince: r.failing_since,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEventType = (r: EventTypeRow): EventType => ({
  id: r.id,
  name: r.name,
  description: r.description,
  schema: r.schema === null ? null : (JSON.parse(r.schema) as Record<string, unknown>),
  archived: r.archived,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
