import type { EndpointSecret } from '../core/secrets.js';

export type { EndpointSecret };

/** Domain records as the store hands them out. Times are epoch milliseconds; the API renders ISO strings. */

export interface App {
  id: string;
  name: string;
  uid: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Endpoint {
  id: string;
  appId: string;
  url: string;
  description: string;
  eventTypes: string[];
  disabled: boolean;
  /** Deliveries per second the endpoint accepts; null = unlimited. */
  rateLimit: number | null;
  /** Extra headers sent with every request. */
  headers: Record<string, string>;
  /** Current secret first, then rotated-out ones still within their overlap. */
  secrets: EndpointSecret[];
  /** Start of the current run of failed attempts; null after a success. */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  /** The payload as JSON text, exactly as it is sent inside the envelope. */
  payload: string;
  /** The envelope's timestamp (message creation), ms. */
  timestamp: number;
}

export type AttemptStatus = 'succeeded' | 'failed';

export interface Attempt {
  id: string;
  messageId: string;
  endpointId: string;
  attemptNumber: number;
  status: AttemptStatus;
  responseStatusCode: number | null;
  responseBody: string;
  durationMs: number;
  error: string | null;
  createdAt: number;
}

/** A delivery leased to one worker, with everything needed to send it. */
export interface ClaimedDelivery {
  deliveryId: string;
  messageId: string;
  appId: string;
  endpointId: string;
  url: string;
  headers: Record<string, string>;
  /** Secrets that sign this attempt (current first). */
  secrets: string[];
  eventType: string;
  timestamp: number;
  payload: string;
  /** Attempts already made for this delivery. */
  attemptsMade: number;
  /**
   * Attempts made before the current retry schedule started: 0 at first, the attempt count when a resend or
   * recover re-opened the delivery (its attemptNumber continues, its schedule starts afresh).
   */
  scheduleStart: number;
  /** The endpoint's `rateLimit`: most deliveries per second to it, null for no limit. */
  rateLimit: number | null;
}

/** What one request for an endpoint's rate-limit tokens got. */
export interface TokensTaken {
  /** Tokens taken: that many deliveries may go now. */
  taken: number;
  /** When fewer than asked for: ms until the next token is free. */
  waitMs: number;
}

/** What happens to a delivery after an attempt, decided by the dispatcher. */
export type DeliveryNext = { kind: 'succeeded' } | { kind: 'failed' } | { kind: 'retry'; at: number };

/** One finished attempt to record, fenced by the lease of the worker that made it. */
export interface AttemptOutcome {
  deliveryId: string;
  appId: string;
  messageId: string;
  endpointId: string;
  messageTimestamp: number;
  attempt: Attempt;
  next: DeliveryNext;
  /** 410 Gone: disable the endpoint at once. */
  disableEndpoint: boolean;
  /** Disable the endpoint if it has been failing since at or before this time (auto-disable rule). */
  disableIfFailingSince: number | null;
}

export interface NewApp {
  id: string;
  name: string;
  uid: string | null;
  createdAt: number;
}

export interface AppPatch {
  name?: string;
  uid?: string | null;
  updatedAt: number;
}

export interface NewEndpoint {
  id: string;
  appId: string;
  url: string;
  description: string;
  eventTypes: string[];
  disabled: boolean;
  rateLimit: number | null;
  headers: Record<string, string>;
  secret: string;
  createdAt: number;
}

export interface EndpointPatch {
  url?: string;
  description?: string;
  eventTypes?: string[];
  disabled?: boolean;
  rateLimit?: number | null;
  headers?: Record<string, string>;
  updatedAt: number;
}

export interface NewMessage {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  payload: string;
  timestamp: number;
}

export interface EnqueueInput {
  message: NewMessage;
  /** Lease the new deliveries to this worker at once (the local dispatcher takes them from memory). */
  leaseTo: { workerId: string; until: number } | null;
  /** Delivery id factory (ids carry creation time). */
  newDeliveryId: () => string;
}

export interface EnqueueResult {
  message: Message;
  /** False when `eventId` was seen before; `message` is then the first one. */
  created: boolean;
  /** The deliveries leased to `leaseTo`, ready to send; empty when none were leased. */
  leased: ClaimedDelivery[];
}

/** A page of a newest-first list. */
export interface Page<T> {
  data: T[];
  /** Opaque position after the last item; null when `done`. */
  iterator: string | null;
  done: boolean;
}

export interface PageRequest {
  limit: number;
  iterator?: string | null;
}

export interface StatsWindow {
  appId: string | null;
  /** One endpoint of `appId`; null or absent for every endpoint (stores keep per-endpoint counters too). */
  endpointId?: string | null;
  /** Deliveries created at or after this time; null for all retained history. */
  since: number | null;
}

export interface DeliveryStats {
  count: number;
  succeeded: number;
  failed: number;
  pending: number;
  successRate: number | null;
  delayMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** Which messages of an app a list shows; every bound is optional. */
export interface MessageFilter {
  eventType?: string | null;
  /** Messages whose timestamp is strictly before this time (ms). */
  before?: number | null;
  /** Messages whose timestamp is strictly after this time (ms). */
  after?: number | null;
}

/** A message as lists show it: everything but the payload. */
export type MessageSummary = Omit<Message, 'payload'>;

/** A named kind of event, optionally with a JSON Schema its payloads must match. */
export interface EventType {
  id: string;
  name: string;
  description: string;
  /** JSON Schema for `payload`; null when payloads are not checked. */
  schema: Record<string, unknown> | null;
  /** An archived type is no longer offered; under --strict-event-types it refuses new messages. */
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewEventType {
  id: string;
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  createdAt: number;
}

export interface EventTypePatch {
  description?: string;
  schema?: Record<string, unknown> | null;
  archived?: boolean;
  updatedAt: number;
}

export interface EventTypeFilter {
  includeArchived: boolean;
}

/** A secret rotation: `secret` becomes current, the old current one keeps signing until `previousUntil`. */
export interface SecretRotation {
  secret: string;
  now: number;
  previousUntil: number;
}

/** How many deliveries a resend or recover queued again. */
export interface RequeueResult {
  queued: number;
}

/** An app-scoped API token as listed; the token itself is never stored, only its SHA-256. */
export interface AppToken {
  id: string;
  appId: string;
  name: string;
  createdAt: number;
}

export interface NewAppToken extends AppToken {
  /** Lower-case hex SHA-256 of the token text. */
  tokenHash: string;
}

/** What one retention batch removed. */
export interface PurgeResult {
  /** Messages removed with their deliveries and attempts. */
  messages: number;
  /** Pending deliveries older than the cutoff that were given up (counted failed). */
  expiredDeliveries: number;
  /** Endpoints deleted before the cutoff whose rows (secrets included) were removed. */
  endpoints: number;
  /** True when nothing older than the cutoff is left to purge. */
  done: boolean;
}
