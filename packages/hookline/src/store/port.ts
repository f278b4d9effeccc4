import type {
  App,
  AppPatch,
  Attempt,
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryStats,
  Endpoint,
  EndpointPatch,
  EnqueueInput,
  EnqueueResult,
  Message,
  NewApp,
  NewEndpoint,
  Page,
  PageRequest,
  StatsWindow,
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
  deleteEndpoint(appId: string, endpointId: string, now: number): Promise<boolean>;

  /**
   * Durably store a message and one pending delivery per matching enabled endpoint, deduplicated on
   * (app, eventId). Resolves only after the commit.
   */
  enqueueMessage(input: EnqueueInput): Promise<EnqueueResult>;
  getMessage(appId: string, messageId: string): Promise<Message | null>;
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
  /** Give deliveries back without an attempt (shutdown): they become due again at once. */
  releaseLeases(workerId: string, deliveryIds: string[]): Promise<void>;
  /** When the next unleased pending delivery becomes due; null when none is waiting. */
  nextDueAt(now: number): Promise<number | null>;
  /** Pending deliveries not yet finished. */
  queueDepth(): Promise<number>;

  /** Count, Success rate and Delay percentiles over deliveries created in the window. */
  deliveryStats(window: StatsWindow): Promise<DeliveryStats>;
}
