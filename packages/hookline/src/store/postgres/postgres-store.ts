import { AGAIN, retryUntil } from '../../core/deadline.js';
import { StoreBusyError } from '../errors.js';
import { keysetBefore, toPage } from '../paging.js';
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
  TokensTaken,
} from '../types.js';
import * as tokens from './app-tokens.js';
import * as apps from './apps.js';
import { createContext, type PostgresContext } from './context.js';
import {
  connectDedicated,
  createPool,
  isUnavailable,
  type PgListenConnection,
  type PgOptions,
  type PgPool,
  type PgQueryable,
  toStoreError,
} from './driver.js';
import { type BatchContext, EVENT_ID_BUSY, enqueueMany } from './enqueue-batch.js';
import * as endpoints from './endpoints.js';
import * as eventTypes from './event-types.js';
import { NewWorkListener, type StoreLog } from './listener.js';
import { analyzeStaleTables, autovacuumIsOn } from './planner-stats.js';
import { vacuumDeadTables } from './vacuum.js';
import { listMessages } from './message-list.js';
import { migrate } from './migrate.js';
import { STRICT_EVENT_TYPES_SETTING } from './migrations.js';
import { recordMany } from './record-batch.js';
import { recoverEndpoint, resendMessage } from './requeue.js';
import { purgeExpired } from './retention.js';
import { type AttemptRow, type ClaimedRow, type MessageRow, toAttempt, toClaimed, toMessage } from './rows.js';
import { rotateEndpointSecret } from './secret-rotation.js';
import * as sql from './statements.js';
import { deliveryStats, flushStats } from './stats.js';
import { WriteBatcher } from './write-batcher.js';

/** Stats deltas are folded into per-minute rows this often. */
const FOLD_EVERY_MS = 10_000;
/** How long an ingest waits for a transaction that holds its eventId before event_id_in_flight. */
export const EVENT_ID_WAIT_MS = 3_000;
/**
 * The planner statistics are checked this often (a catalog read; ANALYZE only past the threshold). A fresh
 * database's tables grow ten-fold within seconds of its first burst, and plans cached meanwhile stay slow
 * until the next ANALYZE: measured, checking every 10 s left the outcome statement at 1.6 ms per unit for the
 * first burst instead of 0.9 (docs/benchmarks.md).
 */
const ANALYZE_CHECK_EVERY_MS = 1_000;
const AUTOVACUUM_OFF =
  'autovacuum is off on this PostgreSQL server: hookline VACUUMs its own tables once a minute when they have dead rows, and keeps their planner statistics current itself; turn autovacuum on for the rest of the database (docs/operations.md)';

/** With the server's autovacuum off, dead rows are checked for this often (autovacuum's own default naptime). */
const VACUUM_CHECK_EVERY_MS = 60_000;

export interface PostgresStoreOptions {
  /** Pooled connections per process (plus one for LISTEN). */
  poolSize?: number;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Where the store reports trouble it handles itself (a lost LISTEN connection, an idle connection). */
  log?: StoreLog;
  /** How long a migration keeps trying for a table lock an open transaction holds (default a minute). */
  migrationPatienceMs?: number;
}

/**
 * The production store: many hookline processes share one PostgreSQL database. Hot-path writes
 * (ingest, claims, outcomes, leases) go through the group-commit batcher as multi-row statements;
 * claims use FOR UPDATE SKIP LOCKED; new work is announced with LISTEN/NOTIFY.
 */
export class PostgresStore implements DeliveryStore {
  readonly capabilities: StoreCapabilities = {
    multiProcess: true,
    listenNotify: true,
    skipLocked: true,
    transactionalEnqueue: true,
  };

  private readonly pool: PgPool;
  private readonly writes: WriteBatcher;
  /** What the per-feature modules (event types, tokens, requeue, retention, stats) work with. */
  private readonly ctx: PostgresContext;
  private readonly listener: NewWorkListener;
  private readonly stats = new StatsAccumulator();
  private readonly log: StoreLog;
  private notifyAtCommit = false;
  private foldTimer: NodeJS.Timeout | null = null;
  private analyzeTimer: NodeJS.Timeout | null = null;
  /** The /healthz write in flight, shared by the probes that arrive meanwhile. */
  private probe: Promise<void> | null = null;
  private analyzing: Promise<void> | null = null;
  private vacuumTimer: NodeJS.Timeout | null = null;
  private vacuuming: Promise<void> | null = null;
  /** The connection of the VACUUM running now, ended at close. */
  private vacuumConnection: PgListenConnection | null = null;
  private closed = false;
  private readonly url: string;
  private readonly pgOptions: PgOptions;
  private readonly batch: BatchContext = {
    stats: this.stats,
    announceNewWork: () => {
      this.notifyAtCommit = true;
    },
  };

  private readonly migrationPatienceMs: number;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.log = options.log ?? (() => undefined);
    this.migrationPatienceMs = options.migrationPatienceMs ?? 60_000;
    this.url = url;
    this.pgOptions = {
      // Hot-path work is one transaction at a time (group commit); the rest is for reads of the API.
      max: options.poolSize ?? 4,
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
      queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
      onIdleError: (error) => this.log('warn', 'an idle database connection failed', error),
    };
    this.pool = createPool(url, this.pgOptions);
    this.ctx = createContext(this.pool);
    this.listener = new NewWorkListener(url, this.pgOptions, this.log);
    this.writes = new WriteBatcher(this.pool, {
      batchDone: () => this.stats.keepJob(),
      rolledBack: () => {
        this.stats.reset();
        this.notifyAtCommit = false;
      },
      beforeCommit: (tx) => this.beforeCommit(tx),
    });
  }

  private async beforeCommit(tx: PgQueryable): Promise<void> {
    await flushStats(tx, this.stats, this.notifyAtCommit);
    this.notifyAtCommit = false;
  }

  /** See DeliveryStore.startupWarnings (logged once the server listens: a failed start prints only its error). */
  readonly startupWarnings: string[] = [];

  async migrate(): Promise<void> {
    // A connection of its own without a statement timeout: a migration's backfill reads a whole table.
    let connection: PgListenConnection | null = null;
    try {
      connection = await connectDedicated(this.url, { ...this.pgOptions, queryTimeoutMs: 0 });
      await migrate(connection, { patienceMs: this.migrationPatienceMs, log: this.log });
    } catch (error) {
      throw toStoreError(error);
    } finally {
      await connection?.end().catch(() => undefined);
    }
    if (!(await autovacuumIsOn(this.ctx))) {
      this.startupWarnings.push(AUTOVACUUM_OFF);
      this.vacuumTimer ??= setInterval(() => void this.vacuum(), VACUUM_CHECK_EVERY_MS);
      this.vacuumTimer.unref();
    }
    this.foldTimer ??= setInterval(() => void this.foldStats(), FOLD_EVERY_MS);
    this.foldTimer.unref();
    this.analyzeTimer ??= setInterval(() => void this.refreshPlannerStats(), ANALYZE_CHECK_EVERY_MS);
    this.analyzeTimer.unref();
  }

  /** Both periodic chores at once: fold stats deltas, and ANALYZE hot tables whose statistics went stale. */
  async maintain(): Promise<void> {
    await this.foldStats();
    await this.refreshPlannerStats();
  }

  /** ANALYZE the hot tables whose statistics went stale; a check still running (a big table) is not doubled. */
  private refreshPlannerStats(): Promise<void> {
    this.analyzing ??= this.chore('refreshing the planner statistics failed', async () => {
      await analyzeStaleTables(this.ctx);
    }).finally(() => {
      this.analyzing = null;
    });
    return this.analyzing;
  }

  /**
   * VACUUM hookline's tables with many dead rows (vacuum.ts), on a connection of its own; one process at a
   * time. Runs every minute when the server's autovacuum is off; a run still going is not doubled.
   */
  vacuum(): Promise<void> {
    this.vacuuming ??= this.chore("vacuuming hookline's tables failed", async () => {
      // A VACUUM of a big table takes minutes: no query timeout on its connection.
      const connection = await connectDedicated(this.url, { ...this.pgOptions, queryTimeoutMs: 0 });
      this.vacuumConnection = connection;
      try {
        if (this.closed) return;
        const tables = await vacuumDeadTables(connection);
        if (tables.length > 0) this.log('info', `vacuumed ${tables.join(', ')} (autovacuum is off)`);
      } finally {
        this.vacuumConnection = null;
        await connection.end();
      }
    }).finally(() => {
      this.vacuuming = null;
    });
    return this.vacuuming;
  }

  /** Fold stats deltas into per-minute rows; one process at a time, the others skip. */
  foldStats(): Promise<void> {
    return this.chore('folding stats deltas failed', () =>
      this.ctx.transaction(async (tx) => {
        const lock = await tx.query<{ locked: boolean }>(sql.TRY_XACT_LOCK, [sql.FOLD_LOCK]);
        if (!lock.rows[0]?.locked) return;
        await tx.query(sql.FOLD_STATS);
        await tx.query(sql.FOLD_DELAYS);
      }),
    );
  }

  /**
   * Run a background chore (never rejects). Unavailability is reported by the dispatcher and /healthz, and a
   * chore cut short by close() is expected; anything else is worth a line.
   */
  private async chore(failure: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!this.closed && !isUnavailable(error)) this.log('warn', failure, error);
    }
  }

  async close(): Promise<void> {
    if (this.foldTimer) clearInterval(this.foldTimer);
    if (this.analyzeTimer) clearInterval(this.analyzeTimer);
    if (this.vacuumTimer) clearInterval(this.vacuumTimer);
    this.closed = true;
    // A VACUUM of a big table may run for minutes: it is left to finish on the server by itself.
    await this.vacuumConnection?.end();
    await Promise.all([this.analyzing, this.vacuuming]);
    await this.writes.close();
    await this.listener.close();
    await this.pool.end();
  }

  /**
   * A write that must commit (HEALTH_PROBE), one at a time: a commit that hangs holds one connection, and
   * every /healthz meanwhile waits on it (and reports unhealthy when its own time runs out).
   */
  ping(): Promise<void> {
    this.probe ??= this.ctx
      .rows(sql.HEALTH_PROBE, [Date.now()])
      .then(() => undefined)
      .finally(() => (this.probe = null));
    return this.probe;
  }

  onEndpointChanged(listener: (endpointId: string) => void): () => void {
    return this.listener.subscribeChanged(listener);
  }

  onNewWork(listener: () => void): () => void {
    return this.listener.subscribe(listener);
  }

  async getSetting(key: string): Promise<string | null> {
    const [row] = await this.ctx.rows<{ value: string }>(sql.GET_SETTING, [key]);
    return row?.value ?? null;
  }

  async putSettingIfAbsent(key: string, value: string): Promise<string> {
    const [row] = await this.ctx.rows<{ value: string }>(sql.PUT_SETTING_IF_ABSENT, [key, value]);
    return row!.value;
  }

  async setStrictEventTypes(strict: boolean): Promise<void> {
    await this.ctx.rows(sql.PUT_SETTING, [STRICT_EVENT_TYPES_SETTING, String(strict)]);
  }

  createApp(app: NewApp): Promise<App> {
    return apps.createApp(this.ctx, app);
  }

  /**
   * Every API request starts with this lookup: it joins the next group-commit unit, so under load a batch
   * of lookups costs one statement and no transaction of its own.
   */
  findApp(ref: string): Promise<App | null> {
    return this.writes.batch('findApp', ref, (tx, refs) => apps.findApps(tx, refs), { oneStatement: true });
  }

  listApps(page: PageRequest): Promise<Page<App>> {
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

  getEndpoint(appId: string, endpointId: string): Promise<Endpoint | null> {
    return endpoints.getEndpoint(this.ctx, appId, endpointId);
  }

  listEndpoints(appId: string, page: PageRequest): Promise<Page<Endpoint>> {
    return endpoints.listEndpoints(this.ctx, appId, page);
  }

  updateEndpoint(appId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint | null> {
    return endpoints.updateEndpoint(this.ctx, appId, endpointId, patch);
  }

  deleteEndpoint(appId: string, endpointId: string, now: number): Promise<number | null> {
    return endpoints.deleteEndpoint(this.ctx, appId, endpointId, now);
  }

  /**
   * A message whose eventId an uncommitted transaction holds (send_message) is asked again with pauses for
   * up to EVENT_ID_WAIT_MS: two API processes racing on one eventId settle in milliseconds (the second
   * answers with the first's message); a platform transaction left open gets event_id_in_flight.
   */
  enqueueMessage(input: EnqueueInput): Promise<EnqueueResult | null> {
    return retryUntil(
      Date.now() + EVENT_ID_WAIT_MS,
      { first: 10, max: 250 },
      async () => {
        const outcome = await this.writes.batch('enqueue', input, (tx, inputs) => enqueueMany(tx, inputs, this.batch), {
          together: true,
        });
        return outcome === EVENT_ID_BUSY ? AGAIN : outcome;
      },
      () =>
        new StoreBusyError(
          'event_id_in_flight',
          `a message with eventId ${JSON.stringify(input.message.eventId)} is being enqueued for this app by another transaction that has not committed for ${EVENT_ID_WAIT_MS / 1000} s (a platform transaction that called hookline.send_message, most likely); nothing was stored; retry once it has`,
        ),
    );
  }

  async getMessage(appId: string, messageId: string): Promise<Message | null> {
    const [row] = await this.ctx.rows<MessageRow>(sql.GET_MESSAGE, [appId, messageId]);
    return row ? toMessage(row) : null;
  }

  async listAttempts(appId: string, messageId: string, page: PageRequest): Promise<Page<Attempt>> {
    const { beforeAt, beforeId } = keysetBefore(page);
    const rows = await this.ctx.rows<AttemptRow>(sql.PAGE_ATTEMPTS, [
      appId,
      messageId,
      beforeAt,
      beforeId,
      page.limit + 1,
    ]);
    return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toAttempt);
  }

  claimDueDeliveries(
    workerId: string,
    now: number,
    limit: number,
    leaseUntil: number,
  ): Promise<ClaimedDelivery[]> {
    return this.writes.single(async (tx) => {
      const { rows } = await tx.query<ClaimedRow>(sql.CLAIM_DUE, [workerId, leaseUntil, now, limit]);
      return rows.map((r) => toClaimed(r, now));
    }, { oneStatement: true });
  }

  recordAttempts(workerId: string, outcomes: AttemptOutcome[]): Promise<RecordResult> {
    // A failed attempt may disable its endpoint (410, auto-disable), which changes where a new message of the
    // unit goes: such outcomes are written after the unit's new messages, not side by side with them.
    const succeeded = outcomes.every((o) => o.attempt.status === 'succeeded');
    return this.writes.batch(
      succeeded ? 'record' : 'record-failures',
      { workerId, outcomes },
      (tx, inputs) => recordMany(tx, inputs, this.batch),
      { together: succeeded },
    );
  }

  extendLeases(workerId: string, deliveryIds: string[], leaseUntil: number): Promise<void> {
    if (deliveryIds.length === 0) return Promise.resolve();
    return this.writes.single(async (tx) => {
      await tx.query(sql.EXTEND_LEASES, [leaseUntil, deliveryIds, workerId]);
    }, { oneStatement: true });
  }

  takeRateTokens(endpointId: string, rate: number, wanted: number): Promise<TokensTaken> {
    return this.takeTokens(sql.TAKE_RATE_TOKENS, endpointId, rate, wanted);
  }

  takeAppRateTokens(appId: string, rate: number, wanted: number): Promise<TokensTaken> {
    return this.takeTokens(sql.TAKE_APP_RATE_TOKENS, appId, rate, wanted);
  }

  private async takeTokens(statement: string, owner: string, rate: number, wanted: number): Promise<TokensTaken> {
    // Its own short transaction, outside the group commit: it locks one small row, and waiting for a unit
    // would only delay the sending (or the request) it gates.
    const [row] = await this.ctx.rows<{ granted: number; tokens: number }>(statement, [owner, rate, wanted]);
    if (!row) return { taken: wanted, waitMs: 0 }; // the endpoint or app is gone: nothing left to limit
    return {
      taken: row.granted,
      waitMs: row.granted < wanted ? Math.max(1, Math.ceil(((1 - row.tokens) * 1000) / rate)) : 0,
    };
  }


  releaseLeases(workerId: string, deliveryIds: string[], dueAt?: number): Promise<void> {
    if (deliveryIds.length === 0) return Promise.resolve();
    const now = Date.now();
    const at = dueAt ?? now;
    return this.writes.single(async (tx) => {
      const released = await tx.query(sql.RELEASE_LEASES, [at, deliveryIds, workerId]);
      // Due later: the workers' polling finds them then; nobody needs waking now.
      if ((released.rowCount ?? 0) > 0 && at <= now) this.batch.announceNewWork();
    });
  }

  async nextDueAt(after: number): Promise<number | null> {
    const [row] = await this.ctx.rows<{ at: number | null }>(sql.NEXT_DUE, [after]);
    return row?.at ?? null;
  }

  async queueDepth(): Promise<number> {
    const [row] = await this.ctx.rows<{ n: number }>(sql.QUEUE_DEPTH);
    return row?.n ?? 0;
  }

  deliveryStats(window: StatsWindow): Promise<DeliveryStats> {
    return deliveryStats(this.ctx, window);
  }

  // The management API's methods live in per-feature modules (context.ts says what they share).

  rotateEndpointSecret(appId: string, endpointId: string, rotation: SecretRotation): Promise<Endpoint | null> {
    return rotateEndpointSecret(this.ctx, appId, endpointId, rotation);
  }

  createEventType(eventType: NewEventType): Promise<EventType> {
    return eventTypes.createEventType(this.ctx, eventType);
  }

  /** Read on every message (through a short cache in api/); concurrent misses share one statement. */
  getEventType(name: string): Promise<EventType | null> {
    return this.writes.batch('getEventType', name, (tx, names) => eventTypes.getEventTypes(tx, names), {
      oneStatement: true,
    });
  }

  listEventTypes(filter: EventTypeFilter, page: PageRequest): Promise<Page<EventType>> {
    return eventTypes.listEventTypes(this.ctx, filter, page);
  }

  updateEventType(name: string, patch: EventTypePatch): Promise<EventType | null> {
    return eventTypes.updateEventType(this.ctx, name, patch);
  }

  listMessages(appId: string, filter: MessageFilter, page: PageRequest): Promise<Page<MessageSummary>> {
    return listMessages(this.ctx, appId, filter, page);
  }

  resendMessage(appId: string, messageId: string, endpointId: string | null, now: number): Promise<RequeueResult> {
    return resendMessage(this.ctx, appId, messageId, endpointId, now);
  }

  recoverEndpoint(appId: string, endpointId: string, since: number, now: number): Promise<RequeueResult> {
    return recoverEndpoint(this.ctx, appId, endpointId, since, now);
  }

  createAppToken(token: NewAppToken): Promise<AppToken> {
    return tokens.createAppToken(this.ctx, token);
  }

  /** Every request with an app token asks; batched like findApp. */
  findAppTokenByHash(tokenHash: string): Promise<AppToken | null> {
    return this.writes.batch('findAppToken', tokenHash, async (tx, hashes) => {
      const found = await tokens.findAppTokensByHash(tx, [...new Set(hashes)]);
      return hashes.map((hash) => found.get(hash) ?? null);
    }, { oneStatement: true });
  }

  listAppTokens(appId: string, page: PageRequest): Promise<Page<AppToken>> {
    return tokens.listAppTokens(this.ctx, appId, page);
  }

  revokeAppToken(appId: string, tokenId: string): Promise<boolean> {
    return tokens.revokeAppToken(this.ctx, appId, tokenId);
  }

  purgeExpired(cutoff: number, limit: number, now: number): Promise<PurgeResult> {
    return purgeExpired(this.ctx, cutoff, limit, now);
  }

}
