import type {
  App,
  AppToken,
  Attempt,
  Endpoint,
  EventType,
  Message,
  MessageSummary,
} from '../store/types.js';

/** Domain records → API JSON (camelCase, ISO 8601 UTC times with milliseconds). */
const iso = (ms: number) => new Date(ms).toISOString();

export const presentApp = (a: App) => ({
  id: a.id,
  name: a.name,
  uid: a.uid,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

export const presentEndpoint = (e: Endpoint) => ({
  id: e.id,
  url: e.url,
  eventTypes: e.eventTypes,
  description: e.description,
  disabled: e.disabled,
  rateLimit: e.rateLimit,
  headers: e.headers,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

/** The 202 of a new message, and one item of a message list. */
export const presentAccepted = (m: MessageSummary) => ({
  id: m.id,
  eventType: m.eventType,
  eventId: m.eventId,
  timestamp: iso(m.timestamp),
});

/**
 * A message with its payload, as JSON text: the payload is spliced in as stored, so what a JavaScript
 * value cannot hold (a `__proto__` key, a number past 2^53) reads back exactly as it was sent.
 */
export const presentMessage = (m: Message): string =>
  `${JSON.stringify(presentAccepted(m)).slice(0, -1)},"payload":${m.payload}}`;

export const presentAttempt = (a: Attempt) => ({
  id: a.id,
  messageId: a.messageId,
  endpointId: a.endpointId,
  attemptNumber: a.attemptNumber,
  status: a.status,
  responseStatusCode: a.responseStatusCode,
  responseBody: a.responseBody,
  durationMs: a.durationMs,
  error: a.error,
  createdAt: iso(a.createdAt),
});

export const presentEventType = (e: EventType) => ({
  name: e.name,
  description: e.description,
  schema: e.schema,
  archived: e.archived,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const presentToken = (t: AppToken) => ({ id: t.id, name: t.name, createdAt: iso(t.createdAt) });
