import type { Logger } from 'pino';
import type { DeliveryStore, RecordResult } from '../store/port.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/types.js';
import { AttemptAges } from './attempt-ages.js';
import { type DecideOptions, decideOutcome } from './decide.js';
import type { SendResult } from './sender.js';
import type { HandOff } from './hand-off.js';
import { ENDPOINT_CONCURRENCY, EndpointLanes } from './lanes.js';
import { localRateGate, type RateGate } from './rate-limit.js';
import type { DeliverySender } from './sender.js';

/**
 * Deliveries of one rate-limited endpoint waiting here for a token, at most this many (they hold
 * in-flight room); the rest go back to the store, due when their turn would come.
 */
const HELD_PER_ENDPOINT = 16;

/** An endpoint whose oldest attempt has run this long counts as slow (EndpointLanes). */
const SLOW_ENDPOINT_MS = 1000;
/**
 * Attempts that have run this long (receivers that hang, or take seconds) stop counting against the
 * process's room, up to as many again as `maxInFlight`: many tenants whose endpoints all go dark at once, a
 * few deliveries each (no endpoint's or app's cut binds), could otherwise hold every place until the request
 * timeout while healthy tenants' deliveries waited behind them (scale audit: 13–15 s with 1/3 of 9,000
 * endpoints hanging). The second bound keeps sockets and memory finite.
 */
const STALLED_ATTEMPT_MS = SLOW_ENDPOINT_MS;

/**
 * Latest a delivery given back by a slow endpoint's line comes due again: also how late the backlog of an
 * endpoint that recovers can go out (it was 10 minutes: a one-minute outage then delayed its backlog by ten).
 * Each give-back rewrites its row, so a hung backlog of N deliveries costs at most N writes a minute.
 */
const LONGEST_GIVE_BACK_MS = 60_000;

/** One rate-limited endpoint's waiting deliveries; `taking` while tokens are being asked for. */
interface HeldLine {
  queue: ClaimedDelivery[];
  timer: NodeJS.Timeout | null;
  taking: boolean;
}

/** What the dispatcher reports as it goes (metrics live outside dispatch/). */
export interface DispatchObserver {
  attemptSent(delivery: ClaimedDelivery, result: SendResult): void;
  outcomesRecorded(outcomes: AttemptOutcome[], result: RecordResult): void;
  /** Whether fresh deliveries handed over now would be sent at once changed. */
  capacityChanged?(hasCapacity: boolean): void;
}

/** Whether this worker can reach its store, for /healthz. */
export interface DispatcherHealth {
  ok: boolean;
  /** Why not, while it cannot. */
  reason?: string;
  /** Since when (ms) it cannot. */
  since?: number;
}

export interface DispatcherOptions extends DecideOptions {
  workerId: string;
  /** How long a claim is held before another worker may take it over (extended while in flight). */
  leaseMs: number;
  /** Attempts in flight at once in this process. */
  maxInFlight: number;
  /** Most deliveries claimed in one statement. */
  claimBatch: number;
  /** Longest sleep between looks at the queue (other processes' work, clock drift). */
  pollMs: number;
  /** One attempt's deadline: the longest a round of attempts to a slow endpoint takes. */
  requestTimeoutMs: number;
  clock: () => number;
}

/**
 * The delivery loop of one process: claim due deliveries in batches (or take fresh ones from ingest in
 * memory), send them concurrently, and write outcomes back in batches, every write fenced by the lease.
 */
export class Dispatcher implements HandOff {
  private readonly inFlight = new Map<string, ClaimedDelivery>();
  private outcomes: AttemptOutcome[] = [];
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private claiming = false;
  private pumpAgain = false;
  private stopping = false;
  /** Set while shutting down after the grace period: results that arrive now are released, not recorded. */
  private abandoning = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private leaseTimer: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** The last claim filled its room (or there was none): more may be due, so claim again when room frees. */
  private backlog = false;
  /** Earliest due time known (from the store's last look, or retries recorded here since); null = none. */
  private knownDueAt: number | null = null;
  /** When to ask the store for its next due time again (the polling fallback). */
  private nextLookAt = 0;
  /** Time of the last claim that left nothing due: a due time at or before it cannot be claimed. */
  private drainedAt = Number.NEGATIVE_INFINITY;
  /** Set while the store fails: what failed, since when; cleared by the next success. */
  private failure: { what: string; message: string; since: number } | null = null;
  private lastFailureLog = 0;
  private retryMs = 0;
  /** Where delivery tokens of rate-limited endpoints come from: this process, or the database (shared). */
  private readonly gate: RateGate;
  /** Per rate-limited endpoint: deliveries waiting for a token (first in, first out). */
  private readonly held = new Map<string, HeldLine>();
  /** Per endpoint: attempts under way and the line behind them (isolation of slow endpoints). */
  private readonly lanes: EndpointLanes;
  /** Attempts being sent, by age: stalled ones hold no room (up to a bound). */
  private readonly ages = new AttemptAges(STALLED_ATTEMPT_MS);
  /** What capacityChanged last said. */
  private reportedCapacity = true;
  /** Looks again at the room when the oldest recent attempt turns stalled (set only while out of room). */
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: DeliveryStore,
    private readonly sender: DeliverySender,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
    private readonly observer: DispatchObserver,
  ) {
    // Several processes share an endpoint's limit only through the database; one process keeps its own.
    this.gate =
      store.capabilities.multiProcess && store.takeRateTokens
        ? { take: (endpointId, rate, wanted) => store.takeRateTokens!(endpointId, rate, wanted) }
        : localRateGate(options.clock);
    this.lanes = new EndpointLanes(
      {
        maxConcurrency: ENDPOINT_CONCURRENCY,
        minConcurrency: 4,
        slowMs: SLOW_ENDPOINT_MS,
        longestAttemptMs: options.requestTimeoutMs,
        // A quarter of the room (512 of 2,048) per app for attempts, as much again for its waiting line.
        maxPerApp: Math.max(ENDPOINT_CONCURRENCY, Math.floor(options.maxInFlight / 4)),
        clock: options.clock,
      },
      { begin: (delivery) => this.send(delivery), giveBack: (delivery, waitMs) => this.giveBack(delivery, waitMs) },
    );
  }

  get workerId(): string {
    return this.options.workerId;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  start(): void {
    // Every third of the lease, so that two extensions can fail or run late before it runs out (a floor of
    // 1 s here once let a 1 s lease expire under a running attempt, and another worker sent it again).
    this.leaseTimer = setInterval(() => this.extendLeases(), Math.floor(this.options.leaseMs / 3));
    this.leaseTimer.unref();
    if (this.store.capabilities.listenNotify && this.store.onNewWork) {
      const unsubscribeWork = this.store.onNewWork(() => this.wake());
      const unsubscribeChanged = this.store.onEndpointChanged?.((id) => this.endpointChanged(id));
      this.unsubscribe = () => {
        unsubscribeWork();
        unsubscribeChanged?.();
      };
    }
    this.wake();
  }

  /** Healthy unless the store's last answer to this worker was a failure. */
  health(): DispatcherHealth {
    if (!this.failure) return { ok: true };
    return {
      ok: false,
      reason: `${this.failure.what} failed: ${this.failure.message}`,
      since: this.failure.since,
    };
  }

  /** True when fresh deliveries handed over now would be sent at once. */
  hasCapacity(): boolean {
    return !this.stopping && this.room() > 0;
  }

  /**
   * How many more deliveries this worker may take: `maxInFlight` less those it holds that are not stalled
   * attempts, and never more than twice `maxInFlight` held in all.
   */
  private room(): number {
    const { maxInFlight } = this.options;
    const stalled = this.ages.stalledAt(this.options.clock());
    return Math.min(maxInFlight - (this.inFlight.size - stalled), 2 * maxInFlight - this.inFlight.size);
  }

  /**
   * Say whether there is room when that changed; while there is none, look again when the oldest recent
   * attempt turns stalled (room may free with no attempt ending), and claim the backlog if it did.
   */
  private reportCapacity(): void {
    const has = this.hasCapacity();
    if (has !== this.reportedCapacity) {
      this.reportedCapacity = has;
      this.observer.capacityChanged?.(has);
    }
    if (has || this.stopping || this.stallTimer) return;
    const at = this.ages.nextStallAt();
    if (at === null) return;
    this.stallTimer = setTimeout(
      () => {
        this.stallTimer = null;
        this.reportCapacity();
        if (this.backlog && this.hasCapacity()) this.wake();
      },
      Math.max(1, at - this.options.clock()),
    );
    this.stallTimer.unref();
  }

  /** Send deliveries already leased to this worker (fresh from ingest, no claim needed). */
  accept(deliveries: ClaimedDelivery[]): void {
    for (const delivery of deliveries) this.launch(delivery);
  }

  /** Something may be due now (new message, endpoint re-enabled, resend): look at the queue. */
  wake(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.claiming = true;
    this.clearTimer();
    let failed = false;
    try {
      const room = Math.min(this.options.claimBatch, this.room());
      if (room > 0 && !this.stopping) {
        const now = this.options.clock();
        const claimed = await this.store.claimDueDeliveries(
          this.options.workerId,
          now,
          room,
          now + this.options.leaseMs,
        );
        this.storeAnswered();
        if (this.stopping) {
          // stop() came while the claim was under way: these go straight back, for the next process.
          if (claimed.length > 0) await this.store.releaseLeases(this.options.workerId, claimed.map((d) => d.deliveryId));
          return;
        }
        for (const delivery of claimed) this.launch(delivery);
        this.backlog = claimed.length === room;
        if (!this.backlog) {
          // Nothing was left due at `now`, so a known due time at or before it has been served. Only the
          // earliest due time is kept here: ask the store for the next one now, or the retries due after
          // it would wait for the next poll (up to `pollMs` late).
          this.drainedAt = now;
          if (this.knownDueAt !== null && this.knownDueAt <= now) {
            this.knownDueAt = null;
            this.nextLookAt = 0;
          }
        }
      } else {
        this.backlog = room <= 0;
      }
    } catch (error) {
      failed = true;
      this.storeFailed('claiming deliveries', error);
    } finally {
      this.claiming = false;
    }
    if (this.stopping) return;
    if (failed) return this.wakeAt(this.options.clock() + this.retryMs);
    if (this.pumpAgain || (this.backlog && this.room() > 0)) {
      this.pumpAgain = false;
      setImmediate(() => this.wake());
      return;
    }
    await this.sleepUntilNextDue();
  }

  /**
   * Sleep until the earliest known due time, and look at the store's own next due time at most every
   * `pollMs`: other processes' leftovers (an expired lease) are found by that look; fresh work and
   * released leases are announced (local wake or LISTEN/NOTIFY), and local retries are known here.
   */
  private async sleepUntilNextDue(): Promise<void> {
    const now = this.options.clock();
    if (now >= this.nextLookAt) {
      try {
        // Due times at or before the last claim that left nothing due were claimed, or cannot be (a disabled
        // endpoint's leftovers): only later ones can wake this worker.
        const next = await this.store.nextDueAt(Math.max(this.drainedAt, 0));
        this.storeAnswered();
        this.nextLookAt = now + this.options.pollMs;
        // A due time the last claim could not take (e.g. an endpoint gone) must not spin the loop.
        this.knownDueAt = next !== null && next > this.drainedAt ? next : null;
      } catch (error) {
        this.storeFailed('reading the next due time', error);
        if (!this.stopping && !this.claiming) this.wakeAt(this.options.clock() + this.retryMs);
        return;
      }
    }
    if (this.stopping || this.claiming) return;
    this.clearTimer();
    this.wakeAt(Math.min(this.nextLookAt, this.knownDueAt ?? Number.POSITIVE_INFINITY));
  }

  /** Wake at `at` (at least 5 ms from now) unless a timer already wakes earlier. */
  private wakeAt(at: number): void {
    if (this.stopping) return;
    const when = Math.max(at, this.options.clock() + 5);
    if (this.timer && this.timerAt <= when) return;
    this.clearTimer();
    this.timerAt = when;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, when - this.options.clock());
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** The store answered: if it had been failing, say delivery resumes. */
  private storeAnswered(): void {
    this.retryMs = 0;
    if (!this.failure) return;
    this.logger.info(
      { downForMs: this.options.clock() - this.failure.since },
      'the database answers again; delivery resumes',
    );
    this.failure = null;
  }

  /** The store failed: back off, report it in health, and say so in the logs (again every 30 s). */
  private storeFailed(what: string, error: unknown): void {
    const now = this.options.clock();
    const message = (error as Error)?.message ?? String(error);
    this.retryMs = Math.min(5_000, this.retryMs === 0 ? 250 : this.retryMs * 2);
    if (!this.failure) {
      this.failure = { what, message, since: now };
      this.lastFailureLog = now;
      this.logger.error({ err: error }, `${what} failed; delivery is paused and retried with backoff`);
    } else {
      this.failure = { ...this.failure, what, message };
      if (now - this.lastFailureLog >= 30_000) {
        this.lastFailureLog = now;
        this.logger.error(
          { err: error, downForMs: now - this.failure.since },
          `${what} still fails; delivery is paused`,
        );
      }
    }
  }

  /**
   * The endpoint was changed (URL, headers, secret, rate limit), disabled or deleted: what waits here to go
   * to it (its rate-limit line, its lane's line) holds its old details, so it goes back to the store, due at
   * once to be claimed again as the endpoint now is; the store parks it while the endpoint is disabled.
   * Attempts already under way finish and are recorded. With an app id: every endpoint of that deleted app.
   */
  endpointChanged(id: string): void {
    const waiting = this.lanes.takeWaitingOf(id);
    for (const [endpointId, line] of this.held) {
      if (endpointId !== id && line.queue[0]?.appId !== id) continue;
      if (line.timer) clearTimeout(line.timer);
      this.held.delete(endpointId);
      waiting.push(...line.queue.splice(0));
    }
    for (const delivery of waiting) this.giveBack(delivery, 0);
  }

  private launch(delivery: ClaimedDelivery): void {
    // Claimed again by this worker after its lease ran out (a long outage while it waited here, or an attempt
    // that outlived the lease): it is already being handled, and its lease is renewed.
    if (this.inFlight.has(delivery.deliveryId)) return;
    if (delivery.rateLimit !== null) return this.waitForRate(delivery, delivery.rateLimit);
    this.track(delivery);
    this.lanes.submit(delivery);
  }

  /** Count `delivery` as this worker's until its outcome is recorded (its lease is extended meanwhile). */
  private track(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.deliveryId, delivery);
    this.reportCapacity();
  }

  private send(delivery: ClaimedDelivery): void {
    this.ages.started(delivery.deliveryId, this.options.clock());
    // Out of room before this attempt began (a rate-limited delivery held for its token): its stall may
    // free room, so look again when it comes.
    if (!this.reportedCapacity && !this.stallTimer) this.reportCapacity();
    void this.sender.send(delivery).then((result) => this.finish(delivery, result));
  }

  /**
   * A delivery to an endpoint limited to `rate` per second goes out when a token of the endpoint's bucket
   * is free, after the endpoint's earlier ones. Up to HELD_PER_ENDPOINT wait here (leased, their leases
   * extended, holding in-flight room); the rest go back to the store, due when their turn would come. No
   * attempt is made or counted for waiting, and other endpoints' deliveries are never held up.
   */
  private waitForRate(delivery: ClaimedDelivery, rate: number): void {
    let line = this.held.get(delivery.endpointId);
    if (!line) {
      line = { queue: [], timer: null, taking: false };
      this.held.set(delivery.endpointId, line);
    }
    if (line.queue.length >= Math.min(rate, HELD_PER_ENDPOINT)) {
      this.postpone(delivery, rate, line.queue.length);
      return;
    }
    line.queue.push(delivery);
    this.track(delivery);
    if (!line.taking && !line.timer) void this.sendHeld(delivery.endpointId, line);
  }

  /** Send as many of an endpoint's waiting deliveries as its bucket gives tokens for; try again for the rest. */
  private async sendHeld(endpointId: string, line: HeldLine): Promise<void> {
    line.timer = null;
    line.taking = true;
    let waitMs: number;
    try {
      const rate = line.queue[0]!.rateLimit ?? Number.POSITIVE_INFINITY;
      const { taken, waitMs: wait } = await this.gate.take(endpointId, rate, Math.min(line.queue.length, rate));
      if (this.stopping) return; // stop() gave the waiting ones back to the store
      for (const delivery of line.queue.splice(0, taken)) this.lanes.submit(delivery);
      waitMs = wait;
    } catch (error) {
      if (this.stopping) return;
      this.storeFailed('taking rate-limit tokens', error);
      waitMs = Math.max(this.retryMs, 100);
    } finally {
      line.taking = false;
    }
    if (this.held.get(endpointId) !== line) return; // the endpoint changed meanwhile
    if (line.queue.length === 0) {
      this.held.delete(endpointId);
      return;
    }
    line.timer = setTimeout(() => void this.sendHeld(endpointId, line), Math.max(1, waitMs));
  }

  /**
   * Give a delivery back to the store, due once the `ahead` deliveries waiting here have had their turn;
   * beyond one second's worth of the endpoint's rate, one second later per second's worth, so that a
   * backlog comes back spread out rather than all at once. One write per due time and turn.
   */
  private postpone(delivery: ClaimedDelivery, rate: number, ahead: number): void {
    let turn = this.postponedThisTurn.get(delivery.endpointId);
    if (!turn) {
      turn = { firstDueAt: this.options.clock() + Math.ceil((ahead * 1000) / rate), count: 0 };
      this.postponedThisTurn.set(delivery.endpointId, turn);
    }
    this.postponeTo(delivery.deliveryId, turn.firstDueAt + Math.floor(turn.count++ / rate) * 1000);
  }

  /**
   * A slow endpoint's line is full: the delivery goes back to the store (no attempt made or counted), due in
   * `waitMs`, when its turn would come (EndpointLanes).
   */
  private giveBack(delivery: ClaimedDelivery, waitMs: number): void {
    this.inFlight.delete(delivery.deliveryId);
    this.reportCapacity();
    this.postponeTo(delivery.deliveryId, this.options.clock() + Math.round(Math.min(waitMs, LONGEST_GIVE_BACK_MS)));
    if (this.backlog && !this.stopping) this.wake();
  }

  /** Give a leased delivery back to the store, due at `dueAt`; one write per due time and turn. */
  private postponeTo(deliveryId: string, dueAt: number): void {
    const ids = this.postponed.get(dueAt);
    if (ids) ids.push(deliveryId);
    else this.postponed.set(dueAt, [deliveryId]);
    if (this.postponed.size === 1 && !ids) setImmediate(() => this.releasePostponed());
  }

  /** Per endpoint, this turn: when its first postponed delivery is due, and how many went back. */
  private readonly postponedThisTurn = new Map<string, { firstDueAt: number; count: number }>();
  /** Deliveries to give back, by due time. */
  private readonly postponed = new Map<number, string[]>();

  private releasePostponed(): void {
    const groups = [...this.postponed];
    this.postponed.clear();
    this.postponedThisTurn.clear();
    for (const [dueAt, ids] of groups) {
      this.store.releaseLeases(this.options.workerId, ids, dueAt).then(
        () => {
          this.storeAnswered();
          if (this.knownDueAt === null || dueAt < this.knownDueAt) this.knownDueAt = dueAt;
          if (!this.stopping && !this.claiming) this.wakeAt(this.knownDueAt);
        },
        // Still leased to this worker: taken over, and rate-checked again, when the lease expires.
        (error: unknown) => this.storeFailed('postponing rate-limited deliveries', error),
      );
    }
  }

  private finish(delivery: ClaimedDelivery, result: SendResult): void {
    this.ages.ended(delivery.deliveryId);
    if (this.abandoning) return; // released by stop(); the next worker sends it again
    this.lanes.finished(delivery, result);
    this.observer.attemptSent(delivery, result);
    const outcome = decideOutcome(delivery, result, this.options);
    this.outcomes.push(outcome);
    if (outcome.disableEndpoint) this.endpointChanged(delivery.endpointId); // 410 Gone: nothing more goes
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.outcomes.length > 0) this.scheduleFlush();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.outcomes;
    if (batch.length === 0) return;
    this.outcomes = [];
    try {
      const result = await this.store.recordAttempts(this.options.workerId, batch);
      this.storeAnswered();
      const applied = new Set(result.applied);
      for (const outcome of batch) {
        if (outcome.next.kind !== 'retry' || !applied.has(outcome.deliveryId)) continue;
        if (this.knownDueAt === null || outcome.next.at < this.knownDueAt) this.knownDueAt = outcome.next.at;
      }
      // A resend asked for during the attempt: due again now.
      if (result.resent.length > 0) this.knownDueAt = Math.min(this.knownDueAt ?? Infinity, this.options.clock());
      if (!this.stopping && !this.claiming && this.knownDueAt !== null) this.wakeAt(this.knownDueAt);
      if (result.leaseLost.length > 0) {
        this.logger.warn(
          { deliveries: result.leaseLost },
          'lease lost before the outcome was recorded; result dropped',
        );
      }
      for (const endpointId of result.disabledEndpoints) {
        this.logger.warn({ endpointId }, 'endpoint disabled');
        this.endpointChanged(endpointId);
      }
      this.observer.outcomesRecorded(batch, result);
    } catch (error) {
      // The store refused the batch (disk full, database away). Keep the deliveries leased: when the lease
      // expires they are sent again, so nothing is lost; an attempt may repeat (at-least-once).
      this.storeFailed(`recording ${batch.length} attempts (they will be sent again)`, error);
    }
    for (const outcome of batch) this.inFlight.delete(outcome.deliveryId);
    this.reportCapacity();
    if (this.drained && this.inFlight.size === 0) this.drained();
    if (!this.stopping && this.backlog) this.wake();
  }

  private extendLeases(): void {
    if (this.inFlight.size === 0) return;
    const until = this.options.clock() + this.options.leaseMs;
    this.store
      .extendLeases(this.options.workerId, [...this.inFlight.keys()], until)
      .then(
        () => this.storeAnswered(),
        (error: unknown) => this.storeFailed('extending leases', error),
      );
  }

  /**
   * Stop claiming, give in-flight attempts up to `graceMs` to finish and be recorded, then release the
   * leases of the rest so the next process sends them at once.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.reportCapacity();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.clearTimer();
    // A claim under way gives its deliveries back itself (pump); let it, before the store closes.
    for (const until = this.options.clock() + graceMs; this.claiming && this.options.clock() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.unsubscribe?.();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    // Deliveries waiting for their endpoint's rate limit were never attempted: back to the store with the rest.
    const waiting: string[] = [];
    for (const line of this.held.values()) {
      if (line.timer) clearTimeout(line.timer);
      for (const delivery of line.queue) {
        waiting.push(delivery.deliveryId);
        this.inFlight.delete(delivery.deliveryId);
      }
    }
    this.held.clear();
    for (const delivery of this.lanes.takeWaiting()) {
      waiting.push(delivery.deliveryId);
      this.inFlight.delete(delivery.deliveryId);
    }
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
    }
    this.abandoning = true;
    while (this.flushing) await this.flushing;
    await this.flush();
    const unfinished = [...this.inFlight.keys(), ...waiting];
    if (unfinished.length > 0) {
      await this.store.releaseLeases(this.options.workerId, unfinished);
      this.logger.info({ count: unfinished.length }, 'released in-flight deliveries for the next process');
    }
    this.inFlight.clear();
    this.ages.clear();
  }
}
