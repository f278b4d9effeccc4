import { activeSecrets } from '../../core/secrets.js';
import type {
  App,
  AppToken,
  Attempt,
  AttemptStatus,
  ClaimedDelivery,
  Endpoint,
  EndpointSecret,
  EventType,
  Message,
  MessageSummary,
} from '../types.js';

/**
 * Row shapes as PostgreSQL returns them through driver.ts (bigint → number, jsonb parsed, text[] as
 * arrays), and their mapping to domain records. Parallel to sqlite/rows.ts.
 */
export interface AppRow {
  id: string;
  name: string;
  uid: string | null;
  created_at: number;
  updated_at: number;
}

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

export interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string;
  timestamp: number;
}

export type MessageSummaryRow = Omit<MessageRow, 'payload'>;

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

export interface AppTokenRow {
  id: string;
  app_id: string;
  name: string;
  created_at: number;
}

export interface AttemptRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  attempt_number: number;
  status: string;
  response_status_code: number | null;
  response_body: string;
  duration_ms: number;
  error: string | null;
  created_at: number;
}

export interface ClaimedRow {
  delivery_id: string;
  message_id: string;
  app_id: string;
  endpoint_id: string;
  attempts: number;
  schedule_start: number;
  url: string;
  headers: Record<string, string>;
  secrets: EndpointSecret[];
  event_type: string;
  timestamp: number;
  payload: string;
}

export const toApp = (r: AppRow): App => ({
  id: r.id,
  name: r.name,
  uid: r.uid,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  payload: r.payload,
  timestamp: r.timestamp,
});

export const toMessageSummary = (r: MessageSummaryRow): MessageSummary => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  timestamp: r.timestamp,
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

export const toAppToken = (r: AppTokenRow): AppToken => ({
  id: r.id,
  appId: r.app_id,
  name: r.name,
  createdAt: r.created_at,
});

export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  attemptNumber: r.attempt_number,
  status: r.status as AttemptStatus,
  responseStatusCode: r.response_status_code,
  responseBody: r.response_body,
  durationMs: r.duration_ms,
  error: r.error,
  createdAt: r.created_at,
});

export const toClaimed = (r: ClaimedRow, now: number): ClaimedDelivery => ({
  deliveryId: r.delivery_id,
  messageId: r.message_id,
  appId: r.app_id,
  endpointId: r.endpoint_id,
  url: r.url,
  headers: r.headers,
  secrets: activeSecrets(r.secrets, now),
  eventType: r.event_type,
  timestamp: r.timestamp,
  payload: r.payload,
  attemptsMade: r.attempts,
  scheduleStart: r.schedule_start,
});
