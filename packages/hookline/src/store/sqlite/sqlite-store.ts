import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { delayBucket } from '../../core/histogram.js';
import { refuseNewerSchema, StoreUnavailableError } from '../errors.js';
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
import * as apps from './apps.js';
import * as tokens from './app-tokens.js';
import { ConfigCache } from './config-cache.js';
import { keysetBefore, type SqliteContext } from './context.js';
import * as endpoints from './endpoints.js';
import { enqueueMessage } from './enqueue.js';
import * as eventTypes from './event-types.js';
import { listMessages } from './message-list.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { recoverEndpoint, resendMessage } from './requeue.js';
import * as queue from './queue.js';
import { purgeExpired } from './retention.js';
import {
  type AttemptRow,
  type MessageRow,
  toAttempt,
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

/** How long /healthz reports a write the database refused (a full disk): longer than a probe's interval. */
const WRITE_FAILURE_REPORTED_MS = 30_000;

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
  private readonly cache = new ConfigCache();

  constructor(file: string) {
    createPrivately(file);
    // No waiting on a lock: a file another hookline holds is refused at once (better-sqlite3 waits 5 s by default).
    this.db = new Database(file, { timeout: 0 });
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
        this.cache.healthy.clear(); // it may hold an endpoint the rolled-back job marked
      },
      batchFailed: () => {
        this.stats.reset();
        this.cache.forget();
      },
      beforeCommit: () =>
        this.stats.flush(
          (row) => this.stmt(row.endpointId === null ? sql.BUMP_STATS : sql.BUMP_ENDPOINT_STATS).run(row),
          (row) => this.stmt(row.endpointId === null ? sql.BUMP_DELAY : sql.BUMP_ENDPOINT_DELAY).run(row),
        ),
    });
    this.ctx = {
      stmt: (text) => this.stmt(text),
      write: (job, options) => this.writes.run(job, options),
      stats: this.stats,
      cache: this.cache,
      endpointsChanged: () => this.cache.forget(),
    };
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
    refuseNewerSchema(applied, SQLITE_MIGRATIONS);
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
    // Reads still work on a full disk, and small writes may too while messages fail: a failed write is
    // reported for a while instead, so that probes see it even when traffic is sparse.
    const failed = this.writes.lastFailure;
    const ago = failed ? Date.now() - failed.at : Infinity;
    if (ago < WRITE_FAILURE_REPORTED_MS) {
      throw new StoreUnavailableError(`a write failed ${Math.round(ago / 1000)} s ago: ${failed!.reason}`);
    }
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
    return apps.createApp(this.ctx, app);
  }

  async findApp(ref: string): Promise<App | null> {
    return apps.findApp(this.ctx, ref);
  }

  async listApps(page: PageRequest): Promise<Page<App>> {
    return apps.listApps(this.ctx, page);
  }

  updateApp(appId: string, patch: AppPatch): Promise<App | null> {
    return apps.updateApp(this.ctx, appId, patch);
  }

  deleteApp(appId: string): Promise<boolean> {
    return apps.deleteApp(this.ctx, appId);
  }

  createEndpoint(endpoint: NewEndpoint): Promise<Endpoint> {
    return endpoints.createEndpoint(this.ctx, endpoint);
  }

  async getEndpoint(appId: string, endpointId: string): Promise<Endpoint | null> {
    return endpoints.getEndpoint(this.ctx, appId, endpointId);
  }

  async listEndpoints(appId: string, page: PageRequest): Promise<Page<Endpoint>> {
    return endpoints.listEndpoints(this.ctx, appId, page);
  }

  updateEndpoint(appId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint | null> {
    return endpoints.updateEndpoint(this.ctx, appId, endpointId, patch);
  }

  deleteEndpoint(appId: string, endpointId: string, now: number): Promise<number | null> {
    return endpoints.deleteEndpoint(this.ctx, appId, endpointId, now);
  }

  enqueueMessage(input: EnqueueInput): Promise<EnqueueResult | null> {
    return enqueueMessage(this.ctx, input);
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
    return queue.claimDueDeliveries(this.ctx, workerId, now, limit, leaseUntil);
  }

  recordAttempts(workerId: string, outcomes: AttemptOutcome[]): Promise<RecordResult> {
    return queue.recordAttempts(this.ctx, workerId, outcomes);
  }

  extendLeases(workerId: string, deliveryIds: string[], leaseUntil: number): Promise<void> {
    return queue.extendLeases(this.ctx, workerId, deliveryIds, leaseUntil);
  }

  /** Every lease back, due at `now`: the delivery thread that held them is gone (delivery-thread.ts). */
  releaseAllLeases(now: number): Promise<void> {
    return queue.releaseAllLeases(this.ctx, now);
  }

  releaseLeases(workerId: string, deliveryIds: string[], dueAt?: number): Promise<void> {
    return queue.releaseLeases(this.ctx, workerId, deliveryIds, dueAt);
  }

  async nextDueAt(after: number): Promise<number | null> {
    const row = this.stmt(sql.NEXT_DUE).get(after) as { at: number | null };
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

/**
 * Create a new database file readable by its owner only: it holds every endpoint's signing secret and,
 * unless HOOKLINE_ADMIN_TOKEN is set, the admin token (SQLite gives its WAL the same mode). An existing
 * file keeps the mode its owner gave it; `:memory:` and missing folders are left to SQLite.
 */
function createPrivately(file: string): void {
  if (file === ':memory:' || file.startsWith('file:')) return;
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch {
    // it exists already, or SQLite will say why it cannot be opened
  }
}
