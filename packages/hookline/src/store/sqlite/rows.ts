import type { Endpoint, EndpointSecret, EventType } from '../types.js';

export {
  type AppRow,
  type AppTokenRow,
  type AttemptRow,
  type MessageRow,
  type MessageSummaryRow,
  toApp,
  toAppToken,
  toAttempt,
  toMessage,
  toMessageSummary,
} from '../rows.js';

/** Row shapes as SQLite returns them (JSON as text, booleans as 0/1), and their mapping to domain records. */
export interface EndpointRow {
  id: string;
  app_id: string;
  url: string;
  description: string;
  event_types: string;
  disabled: number;
  rate_limit: number | null;
  headers: string;
  secrets: string;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface EventTypeRow {
  id: string;
  name: string;
  description: string;
  schema: string | null;
  archived: number;
  created_at: number;
  updated_at: number;
}

export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  url: r.url,
  description: r.description,
  eventTypes: JSON.parse(r.event_types) as string[],
  disabled: r.disabled === 1,
  rateLimit: r.rate_limit,
  headers: JSON.parse(r.headers) as Record<string, string>,
  secrets: JSON.parse(r.secrets) as EndpointSecret[],
  failingSince: r.failing_since,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEventType = (r: EventTypeRow): EventType => ({
  id: r.id,
  name: r.name,
  description: r.description,
  schema: r.schema === null ? null : (JSON.parse(r.schema) as Record<string, unknown>),
  archived: r.archived === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

