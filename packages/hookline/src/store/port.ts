import type {
  App,
  AppPatch,
  AppToken,
  Attempt,
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryStats,
  Endpoint,
  EndpointPatch,
  EnqueueInput,
  EnqueueResult,
  EventType,
  EventTypeFilter,
  EventTypePatch,
  Message,
  MessageFilter,
  MessageSummary,
  NewApp,
  NewAppToken,
  NewEndpoint,
  NewEventType,
  Page,
  PageRequest,
  PurgeResult,
  RequeueResult,
  SecretRotation,
  StatsWindow,
  TokensTaken,
} from './types.js';

/** What a backend can do; code branches on these, never on the backend's name (DESIGN.md, "Backends"). */
export interface StoreCapabilities {
  /** Several hookline processes may share this store. */
  multiProcess: boolean;
  /** Other processes' new work is announced (LISTEN/NOTIFY); otherwise only local signals and timers. */
  listenNotify: boolean;
  /** Claims skip rows other workers hold (FOR UPDATE SKIP LOCKED). */
  skipLocked: boolean;
  /** The backend can run `hookline.send_message` inside a caller's transaction. */
  transactionalEnqueue: boolean;
}

/** Outcome of recording a batch: which deliveries were written and which had lost their lease. */
export interface RecordResult {
  applied: string[];
  leaseLost: string[];
  /** Endpoints this batch disabled (410 or auto-disable). */
  disabledEndpoints: string[];
  /**
   * Applied deliveries the store gave up although their outcome asked for a retry: the attempt that
   * disabled its endpoint (failing for the auto-disable window) finishes its delivery as failed.
   */
  givenUp: string[];
  /**
   * Applied deliveries that a resend asked for while their attempt was in flight: not finished, but due
   * again now with a fresh schedule (their attempt is recorded all the same).
   */
  resent: string[];
}

/**
 * The DeliveryStore port, in the domain's verbs. Every method is async, and every write that changes a
 * claimed delivery is fenced by the worker's lease (STYLE.md habit 4).
 */
export interface DeliveryStore {
  readonly capabilities: StoreCapabilities;

  /** Apply pending migrations (idempotent, safe for concurrent starters). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip proving the store answers. */
  ping(): Promise<void>;
  /**
   * With `listenNotify`: call `listener` whenever another process (or a platform's transaction) makes
   * deliveries due now, and after a lost subscription is restored. Returns the unsubscribe function.
   * Announcements are a hint to look at the queue early; callers still poll.
   */
  onNewWork?(listener: () => void): () => void;
  /**
   * With `listenNotify`: call `listener` with the id of each endpoint any process changes, disables or
   * deletes (or of each app it deletes), so that deliveries waiting in a worker for that endpoint (rate
   * limit, slow-endpoint line) do not go out with its old details, or at all while it is disabled.
   */
  onEndpointChanged?(listener: (endpointId: string) => void): () => void;
  /** What an operator should hear about the database once the server listens (e.g. autovacuum is off). */
  readonly startupWarnings?: readonly string[];

  getSetting(key: string): Promise<string | null>;
  /** Store `value` unless the key exists; returns the value that is stored afterwards. */
  putSettingIfAbsent(key: string, value: string): Promise<string>;

  createApp(app: NewApp): Promise<App>;
  /** Look an app up by its id or its uid. */
  findApp(ref: string): Promise<App | null>;
  listApps(page: PageRequest): Promise<Page<App>>;
  updateApp(appId: string, patch: AppPatch): Promise<App | null>;
  deleteApp(appId: string, now: number): Promise<boolean>;

  createEndpoint(endpoint: NewEndpoint): Promise<Endpoint>;
  getEndpoint(appId: string, endpointId: string): Promise<Endpoint | null>;
  listEndpoints(appId: string, page: PageRequest): Promise<Page<Endpoint>>;
  updateEndpoint(appId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint | null>;
  /** Delete an endpoint and give up its pending deliveries: how many were given up, or null when it did not exist. */
  deleteEndpoint(appId: string, endpointId: string, now: number): Promise<number | null>;
  /**
   * Make `rotation.secret` the endpoint's current secret; the previous current one keeps signing until
   * `rotation.previousUntil`, and secrets already expired at `rotation.now` are dropped.
   */
  rotateEndpointSecret(
    appId: string,
    endpointId: string,
    rotation: SecretRotation,
  ): Promise<Endpoint | null>;

  /** Register an event type; throws ConflictError('name') when the name exists (archived or not). */
  createEventType(eventType: NewEventType): Promise<EventType>;
  /** An event type by name, archived or not. */
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(filter: EventTypeFilter, page: PageRequest): Promise<Page<EventType>>;
  /** Change description, schema (null removes it) or archived; null when no such type. */
  updateEventType(name: string, patch: EventTypePatch): Promise<EventType | null>;

  /**
   * Durably store a message and one pending delivery per matching enabled endpoint, deduplicated on
   * (app, eventId). Resolves only after the commit; to null, storing nothing, when the app does not exist
   * (deleted since the caller looked it up).
   */
  enqueueMessage(input: EnqueueInput): Promise<EnqueueResult | null>;
  getMessage(appId: string, messageId: string): Promise<Message | null>;
  /** An app's messages newest first (by timestamp, then id), without payloads. */
  listMessages(appId: string, filter: MessageFilter, page: PageRequest): Promise<Page<MessageSummary>>;
  listAttempts(appId: string, messageId: string, page: PageRequest): Promise<Page<Attempt>>;

  /** Lease up to `limit` due deliveries of enabled endpoints to `workerId` until `leaseUntil`. */
  claimDueDeliveries(
    workerId: string,
    now: number,
    limit: number,
    leaseUntil: number,
  ): Promise<ClaimedDelivery[]>;
  /** Record attempts and move their deliveries on; a delivery whose lease `workerId` lost is skipped. */
  recordAttempts(workerId: string, outcomes: AttemptOutcome[]): Promise<RecordResult>;
  extendLeases(workerId: string, deliveryIds: string[], leaseUntil: number): Promise<void>;
  /**
   * Give deliveries back without an attempt: due again at `dueAt` (default: at once; shutdown), or later
   * (an endpoint's rate limit). A delivery whose lease `workerId` no longer holds is left alone; one whose
   * endpoint is disabled by then is parked, as the endpoint's other pending deliveries are.
   */
  releaseLeases(workerId: string, deliveryIds: string[], dueAt?: number): Promise<void>;
  /**
   * With `multiProcess`: take up to `wanted` tokens from the endpoint's `rateLimit` bucket that every
   * process shares (`rate` per second, bursts of one second's worth, by the database's clock). A store of
   * one process leaves it out: the dispatcher keeps the buckets itself.
   */
  takeRateTokens?(endpointId: string, rate: number, wanted: number): Promise<TokensTaken>;
  /**
   * With `multiProcess`: the same for an app's `--api-rate-limit` bucket, shared by every API process. A
   * store of one process leaves it out: the API keeps the buckets itself.
   */
  takeAppRateTokens?(appId: string, rate: number, wanted: number): Promise<TokensTaken>;
  /**
   * With `transactionalEnqueue`: whether the SQL enqueue (`hookline.send_message`) refuses event types that
   * are not registered or are archived, as the API does under `--strict-event-types`. The API processes
   * say so at start; the last one started decides.
   */
  setStrictEventTypes?(strict: boolean): Promise<void>;
  /**
   * The earliest due time later than `after` among pending deliveries (a lease's expiry for leased ones);
   * null when there is none. The dispatcher passes the time of its last claim that left nothing due, so a
   * delivery due before then that it could not claim (its endpoint disabled) does not hide later ones.
   */
  nextDueAt(after: number): Promise<number | null>;
  /** Pending deliveries not yet finished. */
  queueDepth(): Promise<number>;

  /**
   * Send a message again, due at `now` with a fresh retry schedule (attemptNumber continues): to one
   * endpoint (creating its delivery if the message never matched it), or with `endpointId` null to every
   * endpoint it matched when it was created (not to those a resend to one endpoint added). Disabled or deleted endpoints are skipped; a delivery in flight is sent
   * again once its attempt is recorded, whatever that attempt's outcome (RecordResult.resent). Finished deliveries are re-opened and leave the succeeded/failed counters until they finish again.
   * A delivery always belongs to its message's time: one it creates has created_at = the message's timestamp.
   */
  resendMessage(
    appId: string,
    messageId: string,
    endpointId: string | null,
    now: number,
  ): Promise<RequeueResult>;
  /**
   * Re-open every failed delivery of the endpoint whose message was created at or after `since`, due at
   * `now` in message order, each with a fresh retry schedule. Nothing happens for a disabled endpoint.
   */
  recoverEndpoint(appId: string, endpointId: string, since: number, now: number): Promise<RequeueResult>;

  /** Count, Success rate and Delay percentiles over deliveries created in the window. */
  deliveryStats(window: StatsWindow): Promise<DeliveryStats>;

  createAppToken(token: NewAppToken): Promise<AppToken>;
  /** The live token with this SHA-256 (hex); null when unknown or revoked. */
  findAppTokenByHash(tokenHash: string): Promise<AppToken | null>;
  listAppTokens(appId: string, page: PageRequest): Promise<Page<AppToken>>;
  /** Revoke at once; false when the app has no such token. */
  revokeAppToken(appId: string, tokenId: string): Promise<boolean>;

  /**
   * One retention batch: give up (count failed) up to `limit` deliveries created before `cutoff` that are
   * parked (pending and not due because their endpoint is disabled), then remove up to `limit` messages older
   * than `cutoff` that no pending delivery still owes, with their deliveries and attempts, and the stats
   * counters of minutes wholly before the cutoff's minute, so stats cover exactly the retained history.
   */
  purgeExpired(cutoff: number, limit: number, now: number): Promise<PurgeResult>;
}
