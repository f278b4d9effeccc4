import { activeSecrets, type EndpointSecret } from '../core/secrets.js';
import type {
  App,
  AppToken,
  Attempt,
  AttemptStatus,
  ClaimedDelivery,
  Message,
  MessageSummary,
} from './types.js';

/**
 * Row shapes and mappings that both backends share (plain columns, no JSON or boolean encoding);
 * sqlite/rows.ts and postgres/rows.ts re-export them next to the ones that differ.
 */

export interface AppRow {
  id: string;
  name: string;
  uid: string | null;
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

export const toApp = (r: AppRow): App => ({
  id: r.id,
  name: r.name,
  uid: r.uid,
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

export type MessageSummaryRow = Omit<MessageRow, 'payload'>;

export const toMessageSummary = (r: MessageSummaryRow): MessageSummary => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  timestamp: r.timestamp,
});

/** A claimed delivery with what sending it needs; headers and secrets parsed (SQLite parses its JSON first). */
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
  rate_limit: number | null;
}

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
  rateLimit: r.rate_limit,
});
