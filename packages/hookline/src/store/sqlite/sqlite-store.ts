import Database from 'better-sqlite3';
import { endpointWantsEvent } from '../../core/envelope.js';
import { delayBucket } from '../../core/histogram.js';
import { activeSecrets, type EndpointSecret } from '../../core/secrets.js';
import { ConflictError } from '../errors.js';
import { toPage } from '../paging.js';
import type { DeliveryStore, RecordResult, StoreCapabilities } from '../port.js';
import { StatsAccumulator } from '../stats-accumulator.js';
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
} from '../types.js';
import * as tokens from './app-tokens.js';
import { keysetBefore, type SqliteContext } from './context.js';
import * as eventTypes from './event-types.js';
import { listMessages } from './message-list.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { recoverEndpoint, resendMessage } from './requeue.js';
import { purgeExpired } from './retention.js';
import {
  type AppRow,
  type AttemptRow,
  type EndpointRow,
  type MessageRow,
  toApp,
  toAttempt,
  toEndpoint,
  toMessage,
} from './rows.js';
import { rotateEndpointSecret } from './secret-rotation.js';
import * as sql from './statements.js';
import { deliveryStats } from './stats.js';
import { WriteBatcher } from './write-batcher.js';

/** The database file is held by another hookline process (SQLite is single-process). */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

/** An enabled endpoint as the ingest path needs it. */
interface EnqueueTarget {
  id: string;
  url: string;
  eventTypes: string[];
  headers: Record<string, string>;
  secrets: EndpointSecret[];
}

interface ClaimedRow {
  delivery_id: string;
  message_id: string;
  app_id: string;
  endpoint_id: string;
  attempts: number;
  schedule_start: number;
  url: string;
  headers: string;
  secrets: string;
  event_type: string;
  timestamp: number;
  payload: string;
}

/**
 * The embedded store: one better-sqlite3 connection in WAL mode with synchronous=FULL, every write
 * funnelled through the group-commit batcher. The file is locked exclusively, so exactly one process
 * owns it, and leases left by a dead predecessor can be released at open.
 */
export class SqliteStore implements DeliveryStore {
  readonly capabilities: StoreCapabilities = {
    multiProcess: false,
    listenNotify: false,
    skipLocked: false,
    transactionalEnqueue: false,
  };

  private readonly db: Database.Database;
  private readonly writes: WriteBatcher;
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly stats = new StatsAccumulator();
  /** What the per-feature modules (event types, tokens, requeue, retention, stats) work with. */
  private readonly ctx: SqliteContext;
  /**
   * Apps by id and uid, and each app's enabled endpoints, parsed: the ingest path reads them for every
   * message. This process is the database's only writer (exclusive lock), so clearing both on every write
   * to apps or endpoints (forgetConfig) keeps them exact.
   */
  private readonly appCache = new Map<string, App>();
  private readonly targetCache = new Map<string, EnqueueTarget[]>();
  /** Endpoints whose failing_since is known to be NULL: a success needs no endpoint write then. */
  private readonly healthyEndpoints = new Set<string>();

  constructor(file: string) {
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      // One process owns the file: no shared-memory index, and a second hookline fails fast below.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('busy_timeout = 0');
      this.db.pragma('cache_size = -65536');
      this.db.pragma('temp_store = MEMORY');
      this.db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (error) {
      this.db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new DatabaseLockedError(`database ${file} is in use by another hookline process`);
      }
      throw error;
    }
    // Migration 2 backfills the endpoint delay histogram with the same bucket function the code uses.
    this.db.function('hookline_delay_bucket', { deterministic: true }, (ms) => delayBucket(Number(ms)));
    this.writes = new WriteBatcher(this.db, {
      jobSucceeded: () => this.stats.keepJob(),
      jobFailed: () => {
        this.stats.dropJob();
        this.healthyEndpoints.clear(); // it may hold an endpoint the rolled-back job marked
      },
      batchFailed: () => {
        this.stats.reset();
        this.forgetConfig();
      },
      beforeCommit: () =>
        this.stats.flush(
          (row) => this.stmt(row.endpointId === null ? sql.BUMP_STATS : sql.BUMP_ENDPOINT_STATS).run(row),
          (row) => this.stmt(row.endpointId === null ? sql.BUMP_DELAY : sql.BUMP_ENDPOINT_DELAY).run(row),
        ),
    });
    this.ctx = {
      stmt: (text) => this.stmt(text),
      write: (job) => this.writes.run(job),
      stats: this.stats,
      endpointsChanged: () => this.forgetConfig(),
    };
  }

  /** Drop cached apps and endpoints; called by every write to either table. */
  private forgetConfig(): void {
    this.appCache.clear();
    this.targetCache.clear();
    this.healthyEndpoints.clear();
  }

  private stmt(text: string): Database.Statement {
    let statement = this.stmts.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.stmts.set(text, statement);
    }
    return statement;
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    for (const migration of SQLITE_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)')
          .run(migration.version, migration.name);
      })();
    }
    // Only this process can hold the file, so every lease left in it belonged to a process that is gone.
    this.db.prepare(sql.RELEASE_ALL_LEASES).run(Date.now());
  }

  async close(): Promise<void> {
    this.writes.close();
    this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async getSetting(key: string): Promise<string | null> {
    const row = this.stmt(sql.GET_SETTING).get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  putSettingIfAbsent(key: string, value: string): Promise<string> {
    return this.writes.run(() => {
      this.stmt(sql.PUT_SETTING_IF_ABSENT).run(key, value);
      return (this.stmt(sql.GET_SETTING).get(key) as { value: string }).value;
    });
  }

  createApp(app: NewApp): Promise<App> {
    return this.writes.run(() => {
      if (app.uid !== null && this.stmt(sql.FIND_APP).get({ ref: app.uid })) throw new ConflictError('uid');
      this.stmt(sql.INSERT_APP).run(app);
      return toApp(this.stmt(sql.FIND_APP).get({ ref: app.id }) as AppRow);
    });
  }

  async findApp(ref: string): Promise<App | null> {
    const cached = this.appCache.get(ref);
    if (cached) return cached;
    const row = this.stmt(sql.FIND_APP).get({ ref }) as AppRow | undefined;
    if (!row) return null;
    const app = toApp(row);
    this.appCache.set(ref, app);
    return app;
  }

  async listApps(page: PageRequest): Promise<Page<App>> {
    const rows = this.stmt(sql.PAGE_APPS).all({ ...keysetBefore(page), limit: page.limit + 1 }) as AppRow[];
    return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toApp);
  }

  updateApp(appId: string, patch: AppPatch): Promise<App | null> {
    return this.writes.run(() => {
      this.forgetConfig();
      const row = this.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow | undefined;
      if (!row || row.id !== appId) return null;
      if (patch.uid) {
        const holder = this.stmt(sql.FIND_APP).get({ ref: patch.uid }) as AppRow | undefined;
        if (holder && holder.id !== appId) throw new ConflictError('uid');
      }
      this.stmt(sql.UPDATE_APP).run({
        id: appId,
        name: patch.name ?? row.name,
        uid: patch.uid === undefined ? row.uid : patch.uid,
        updatedAt: patch.updatedAt,
      });
      return toApp(this.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow);
    });
  }

  deleteApp(appId: string): Promise<boolean> {
    return this.writes.run(() => {
      this.forgetConfig();
      const exists = this.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow | undefined;
      if (!exists || exists.id !== appId) return false;
      for (const text of sql.DELETE_APP_ROWS) this.stmt(text).run(appId);
      return true;
    });
  }

  createEndpoint(endpoint: NewEndpoint): Promise<Endpoint> {
    const secrets: EndpointSecret[] = [{ secret: endpoint.secret, expiresAt: null }];
    return this.writes.run(() => {
      this.forgetConfig();
      this.stmt(sql.INSERT_ENDPOINT).run({
        id: endpoint.id,
        appId: endpoint.appId,
        url: endpoint.url,
        description: endpoint.description,
        eventTypes: JSON.stringify(endpoint.eventTypes),
        disabled: endpoint.disabled ? 1 : 0,
        rateLimit: endpoint.rateLimit,
        headers: JSON.stringify(endpoint.headers),
        secrets: JSON.stringify(secrets),
        createdAt: endpoint.createdAt,
      });
      return toEndpoint(this.stmt(sql.GET_ENDPOINT).get(endpoint.appId, endpoint.id) as EndpointRow);
    });
  }

  async getEndpoint(appId: string, endpointId: string): Promise<Endpoint | null> {
    const row = this.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
    return row ? toEndpoint(row) : null;
  }

  async listEndpoints(appId: string, page: PageRequest): Promise<Page<Endpoint>> {
    const rows = this.stmt(sql.PAGE_ENDPOINTS).all({
      appId,
      ...keysetBefore(page),
      limit: page.limit + 1,
    }) as EndpointRow[];
    return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toEndpoint);
  }

  updateEndpoint(appId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint | null> {
    return this.writes.run(() => {
      this.forgetConfig();
      const row = this.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
      if (!row) return null;
      const current = toEndpoint(row);
      const disabled = patch.disabled ?? current.disabled;
      this.stmt(sql.UPDATE_ENDPOINT).run({
        id: endpointId,
        url: patch.url ?? current.url,
        description: patch.description ?? current.description,
        eventTypes: JSON.stringify(patch.eventTypes ?? current.eventTypes),
        disabled: disabled ? 1 : 0,
        rateLimit: patch.rateLimit === undefined ? current.rateLimit : patch.rateLimit,
        headers: JSON.stringify(patch.headers ?? current.headers),
        updatedAt: patch.updatedAt,
        // Re-enabling starts a fresh failure window for the auto-disable rule.
        failingSince: current.disabled && !disabled ? null : current.failingSince,
      });
      if (!current.disabled && disabled) this.stmt(sql.PARK_ENDPOINT_PENDING).run(endpointId);
      if (current.disabled && !disabled)
        this.stmt(sql.UNPARK_ENDPOINT_PENDING).run(patch.updatedAt, endpointId);
      return toEndpoint(this.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow);
    });
  }

  deleteEndpoint(appId: string, endpointId: string, now: number): Promise<boolean> {
    return this.writes.run(() => {
      this.forgetConfig();
      const deleted = this.stmt(sql.DELETE_ENDPOINT).run(now, appId, endpointId).changes > 0;
      if (deleted) {
        const given = this.stmt(sql.FAIL_ENDPOINT_PENDING).all(now, endpointId) as Array<{
          app_id: string;
          created_at: number;
        }>;
        for (const d of given) this.bumpStats(d.app_id, endpointId, d.created_at, 0, 0, 1);
      }
      return deleted;
    });
  }

  enqueueMessage(input: EnqueueInput): Promise<EnqueueResult> {
    return this.writes.run(() => this.enqueueNow(input));
  }

  private enqueueNow({ message, leaseTo, newDeliveryId }: EnqueueInput): EnqueueResult {
    if (message.eventId !== null) {
      const existing = this.stmt(sql.FIND_MESSAGE_BY_EVENT_ID).get(message.appId, message.eventId) as
        | MessageRow
        | undefined;
      if (existing) return { message: toMessage(existing), created: false, leased: [] };
    }
    this.stmt(sql.INSERT_MESSAGE).run(message);
    const leased: ClaimedDelivery[] = [];
    for (const target of this.enqueueTargets(message.appId)) {
      if (!endpointWantsEvent(target.eventTypes, message.eventType)) continue;
      const id = newDeliveryId();
      this.stmt(sql.INSERT_DELIVERY).run({
        id,
        appId: message.appId,
        messageId: message.id,
        endpointId: target.id,
        nextAttemptAt: leaseTo ? leaseTo.until : message.timestamp,
        lockedBy: leaseTo?.workerId ?? null,
        lockedUntil: leaseTo?.until ?? null,
        createdAt: message.timestamp,
      });
      this.bumpStats(message.appId, target.id, message.timestamp, 1, 0, 0);
      if (leaseTo) {
        leased.push({
          deliveryId: id,
          messageId: message.id,
          appId: message.appId,
          endpointId: target.id,
          url: target.url,
          headers: target.headers,
          secrets: activeSecrets(target.secrets, message.timestamp),
          eventType: message.eventType,
          timestamp: message.timestamp,
          payload: message.payload,
          attemptsMade: 0,
          scheduleStart: 0,
        });
      }
    }
    return { message: { ...message }, created: true, leased };
  }

  /** The enabled endpoints of an app, parsed once and cached until apps or endpoints change. */
  private enqueueTargets(appId: string): EnqueueTarget[] {
    let targets = this.targetCache.get(appId);
    if (!targets) {
      const rows = this.stmt(sql.ENABLED_ENDPOINTS_OF_APP).all(appId) as EndpointRow[];
      targets = rows.map((row) => ({
        id: row.id,
        url: row.url,
        eventTypes: JSON.parse(row.event_types) as string[],
        headers: JSON.parse(row.headers) as Record<string, string>,
        secrets: JSON.parse(row.secrets) as EndpointSecret[],
      }));
      this.targetCache.set(appId, targets);
    }
    return targets;
  }

  async getMessage(appId: string, messageId: string): Promise<Message | null> {
    const row = this.stmt(sql.GET_MESSAGE).get(appId, messageId) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  async listAttempts(appId: string, messageId: string, page: PageRequest): Promise<Page<Attempt>> {
    const rows = this.stmt(sql.PAGE_ATTEMPTS).all({
      appId,
      messageId,
      ...keysetBefore(page),
      limit: page.limit + 1,
    }) as AttemptRow[];
    return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toAttempt);
  }

  claimDueDeliveries(
    workerId: string,
    now: number,
    limit: number,
    leaseUntil: number,
  ): Promise<ClaimedDelivery[]> {
    return this.writes.run(() => {
      const ids = (
        this.stmt(sql.CLAIM_DUE).all({ workerId, until: leaseUntil, now, limit }) as Array<{ id: string }>
      ).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = this.stmt(sql.CLAIMED_DETAILS).all(JSON.stringify(ids)) as ClaimedRow[];
      return rows.map((r) => ({
        deliveryId: r.delivery_id,
        messageId: r.message_id,
        appId: r.app_id,
        endpointId: r.endpoint_id,
        url: r.url,
        headers: JSON.parse(r.headers) as Record<string, string>,
        secrets: activeSecrets(JSON.parse(r.secrets) as EndpointSecret[], now),
        eventType: r.event_type,
        timestamp: r.timestamp,
        payload: r.payload,
        attemptsMade: r.attempts,
        scheduleStart: r.schedule_start,
      }));
    });
  }

  recordAttempts(workerId: string, outcomes: AttemptOutcome[]): Promise<RecordResult> {
    return this.writes.run(() => {
      const result: RecordResult = { applied: [], leaseLost: [], disabledEndpoints: [] };
      for (const outcome of outcomes) this.recordNow(workerId, outcome, result);
      return result;
    });
  }

  private recordNow(workerId: string, outcome: AttemptOutcome, result: RecordResult): void {
    const { attempt } = outcome;
    let next = outcome.next;
    let endpointDisabled = false;
    if (attempt.status === 'succeeded') {
      if (!this.healthyEndpoints.has(outcome.endpointId)) {
        this.stmt(sql.ENDPOINT_SUCCEEDED).run(outcome.endpointId);
        this.healthyEndpoints.add(outcome.endpointId);
      }
    } else {
      this.healthyEndpoints.delete(outcome.endpointId);
      const state = this.stmt(sql.ENDPOINT_FAILED).get(attempt.createdAt, outcome.endpointId) as
        | { failing_since: number; disabled: number }
        | undefined;
      endpointDisabled = state?.disabled === 1;
      const autoDisable =
        state !== undefined &&
        outcome.disableIfFailingSince !== null &&
        state.failing_since <= outcome.disableIfFailingSince;
      if (state && !endpointDisabled && (outcome.disableEndpoint || autoDisable)) {
        if (this.stmt(sql.DISABLE_ENDPOINT).run(attempt.createdAt, outcome.endpointId).changes > 0) {
          this.forgetConfig();
          this.stmt(sql.PARK_ENDPOINT_PENDING).run(outcome.endpointId);
          result.disabledEndpoints.push(outcome.endpointId);
        }
        endpointDisabled = true;
        next = { kind: 'failed' };
      }
    }
    const finished = next.kind !== 'retry';
    const updated = this.stmt(sql.FINISH_DELIVERY).get({
      id: outcome.deliveryId,
      workerId,
      status: next.kind === 'retry' ? 'pending' : next.kind,
      attempts: attempt.attemptNumber,
      // A retry of a disabled endpoint waits, parked, until it is re-enabled.
      nextAttemptAt: next.kind === 'retry' ? (endpointDisabled ? null : next.at) : null,
      finishedAt: finished ? attempt.createdAt : null,
    }) as { created_at: number } | undefined;
    if (!updated) {
      result.leaseLost.push(outcome.deliveryId);
      return;
    }
    this.stmt(sql.INSERT_ATTEMPT).run({
      ...attempt,
      appId: outcome.appId,
      deliveryId: outcome.deliveryId,
    });
    if (next.kind === 'succeeded') {
      this.bumpStats(outcome.appId, outcome.endpointId, updated.created_at, 0, 1, 0);
      this.stats.delay(
        outcome.appId,
        outcome.endpointId,
        updated.created_at,
        attempt.createdAt - outcome.messageTimestamp,
      );
    } else if (next.kind === 'failed') {
      this.bumpStats(outcome.appId, outcome.endpointId, updated.created_at, 0, 0, 1);
    }
    result.applied.push(outcome.deliveryId);
  }

  private bumpStats(
    appId: string,
    endpointId: string,
    createdAt: number,
    count: number,
    succeeded: number,
    failed: number,
  ): void {
    this.stats.add(appId, endpointId, createdAt, count, succeeded, failed);
  }

  extendLeases(workerId: string, deliveryIds: string[], leaseUntil: number): Promise<void> {
    if (deliveryIds.length === 0) return Promise.resolve();
    return this.writes.run(() => {
      this.stmt(sql.EXTEND_LEASES).run(leaseUntil, leaseUntil, JSON.stringify(deliveryIds), workerId);
    });
  }

  releaseLeases(workerId: string, deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return Promise.resolve();
    return this.writes.run(() => {
      this.stmt(sql.RELEASE_LEASES).run(Date.now(), JSON.stringify(deliveryIds), workerId);
    });
  }

  async nextDueAt(): Promise<number | null> {
    const row = this.stmt(sql.NEXT_DUE).get() as { at: number | null };
    return row.at;
  }

  async queueDepth(): Promise<number> {
    return (this.stmt(sql.QUEUE_DEPTH).get() as { n: number }).n;
  }

  async deliveryStats(window: StatsWindow): Promise<DeliveryStats> {
    return deliveryStats(this.ctx, window);
  }

  // The management API's methods live in per-feature modules (context.ts explains the shared parts).

  rotateEndpointSecret(appId: string, endpointId: string, rotation: SecretRotation): Promise<Endpoint | null> {
    return rotateEndpointSecret(this.ctx, appId, endpointId, rotation);
  }

  createEventType(eventType: NewEventType): Promise<EventType> {
    return eventTypes.createEventType(this.ctx, eventType);
  }

  async getEventType(name: string): Promise<EventType | null> {
    return eventTypes.getEventType(this.ctx, name);
  }

  async listEventTypes(filter: EventTypeFilter, page: PageRequest): Promise<Page<EventType>> {
    return eventTypes.listEventTypes(this.ctx, filter, page);
  }

  updateEventType(name: string, patch: EventTypePatch): Promise<EventType | null> {
    return eventTypes.updateEventType(this.ctx, name, patch);
  }

  async listMessages(appId: string, filter: MessageFilter, page: PageRequest): Promise<Page<MessageSummary>> {
    return listMessages(this.ctx, appId, filter, page);
  }

  resendMessage(
    appId: string,
    messageId: string,
    endpointId: string | null,
    now: number,
  ): Promise<RequeueResult> {
    return resendMessage(this.ctx, appId, messageId, endpointId, now);
  }

  recoverEndpoint(appId: string, endpointId: string, since: number, now: number): Promise<RequeueResult> {
    return recoverEndpoint(this.ctx, appId, endpointId, since, now);
  }

  createAppToken(token: NewAppToken): Promise<AppToken> {
    return tokens.createAppToken(this.ctx, token);
  }

  async findAppTokenByHash(tokenHash: string): Promise<AppToken | null> {
    return tokens.findAppTokenByHash(this.ctx, tokenHash);
  }

  async listAppTokens(appId: string, page: PageRequest): Promise<Page<AppToken>> {
    return tokens.listAppTokens(this.ctx, appId, page);
  }

  revokeAppToken(appId: string, tokenId: string): Promise<boolean> {
    return tokens.revokeAppToken(this.ctx, appId, tokenId);
  }

  purgeExpired(cutoff: number, limit: number, now: number): Promise<PurgeResult> {
    return purgeExpired(this.ctx, cutoff, limit, now);
  }
}
