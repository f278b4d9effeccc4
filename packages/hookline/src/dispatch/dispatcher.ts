import type { Logger } from 'pino';
import type { DeliveryStore, RecordResult } from '../store/port.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/types.js';
import { type DecideOptions, decideOutcome } from './decide.js';
import type { Sender, SendResult } from './sender.js';

/** What the dispatcher reports as it goes (metrics live outside dispatch/). */
export interface DispatchObserver {
  attemptSent(delivery: ClaimedDelivery, result: SendResult): void;
  outcomesRecorded(outcomes: AttemptOutcome[], result: RecordResult): void;
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
  clock: () => number;
}

/**
 * The delivery loop of one process: claim due deliveries in batches (or take fresh ones from ingest in
 * memory), send them concurrently, and write outcomes back in batches, every write fenced by the lease.
 */
export class Dispatcher {
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
  private leaseTimer: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly store: DeliveryStore,
    private readonly sender: Sender,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
    private readonly observer: DispatchObserver,
  ) {}

  get workerId(): string {
    return this.options.workerId;
  }

  start(): void {
    this.leaseTimer = setInterval(
      () => this.extendLeases(),
      Math.max(1000, Math.floor(this.options.leaseMs / 3)),
    );
    this.leaseTimer.unref();
    this.wake();
  }

  /** True when fresh deliveries handed over now would be sent at once. */
  hasCapacity(): boolean {
    return !this.stopping && this.inFlight.size < this.options.maxInFlight;
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
    let full = false;
    try {
      const room = Math.min(this.options.claimBatch, this.options.maxInFlight - this.inFlight.size);
      if (room > 0 && !this.stopping) {
        const now = this.options.clock();
        const claimed = await this.store.claimDueDeliveries(
          this.options.workerId,
          now,
          room,
          now + this.options.leaseMs,
        );
        for (const delivery of claimed) this.launch(delivery);
        full = claimed.length === room;
      } else {
        full = room <= 0;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'claiming deliveries failed; retrying');
    } finally {
      this.claiming = false;
    }
    if (this.stopping) return;
    if (this.pumpAgain || (full && this.inFlight.size < this.options.maxInFlight)) {
      this.pumpAgain = false;
      setImmediate(() => this.wake());
      return;
    }
    if (!full) await this.sleepUntilNextDue();
  }

  private async sleepUntilNextDue(): Promise<void> {
    let delay = this.options.pollMs;
    try {
      const next = await this.store.nextDueAt(this.options.clock());
      if (next !== null) delay = Math.min(delay, Math.max(5, next - this.options.clock()));
    } catch (error) {
      this.logger.error({ err: error }, 'reading the next due time failed');
    }
    if (this.stopping || this.claiming) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.wake(), delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private launch(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.deliveryId, delivery);
    void this.sender.send(delivery).then((result) => this.finish(delivery, result));
  }

  private finish(delivery: ClaimedDelivery, result: SendResult): void {
    if (this.abandoning) return; // released by stop(); the next worker sends it again
    this.observer.attemptSent(delivery, result);
    this.outcomes.push(decideOutcome(delivery, result, this.options));
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
      if (result.leaseLost.length > 0) {
        this.logger.warn(
          { deliveries: result.leaseLost },
          'lease lost before the outcome was recorded; result dropped',
        );
      }
      for (const endpointId of result.disabledEndpoints)
        this.logger.warn({ endpointId }, 'endpoint disabled');
      this.observer.outcomesRecorded(batch, result);
    } catch (error) {
      // The store refused the batch (disk full, database away). Keep the deliveries leased: when the lease
      // expires they are sent again, so nothing is lost; an attempt may repeat (at-least-once).
      this.logger.error(
        { err: error, count: batch.length },
        'recording attempts failed; deliveries will be retried',
      );
    }
    for (const outcome of batch) this.inFlight.delete(outcome.deliveryId);
    if (this.drained && this.inFlight.size === 0) this.drained();
    if (!this.stopping) this.wake();
  }

  private extendLeases(): void {
    if (this.inFlight.size === 0) return;
    const until = this.options.clock() + this.options.leaseMs;
    this.store
      .extendLeases(this.options.workerId, [...this.inFlight.keys()], until)
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'extending leases failed');
      });
  }

  /**
   * Stop claiming, give in-flight attempts up to `graceMs` to finish and be recorded, then release the
   * leases of the rest so the next process sends them at once.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
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
    const unfinished = [...this.inFlight.keys()];
    if (unfinished.length > 0) {
      await this.store.releaseLeases(this.options.workerId, unfinished);
      this.logger.info({ count: unfinished.length }, 'released in-flight deliveries for the next process');
    }
    this.inFlight.clear();
  }
}
