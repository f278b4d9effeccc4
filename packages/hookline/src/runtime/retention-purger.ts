import type { Logger } from 'pino';
import { StoreUnavailableError } from '../store/errors.js';
import type { DeliveryStore } from '../store/port.js';

export interface RetentionOptions {
  retentionMs: number;
  /** Messages per batch: small, so ingest never waits long behind a purge transaction. */
  batchSize: number;
  clock: () => number;
  /** Told how many pending deliveries each batch gave up (for /metrics). */
  givenUp?: (count: number) => void;
}

/** How often to look for expired data: a tenth of the retention period, between 100 ms and a minute. */
export function purgeIntervalMs(retentionMs: number): number {
  return Math.min(60_000, Math.max(100, Math.floor(retentionMs / 10)));
}

/**
 * Background retention: every interval, purge messages (payloads, deliveries, attempts), stats counters and
 * deleted endpoints older than the retention period, one small batch per store call, yielding to other work between batches.
 * Safe in several processes at once: a purge deletes only what is already expired.
 */
export class RetentionPurger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: DeliveryStore,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.purgeAll().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, purgeIntervalMs(this.options.retentionMs));
    this.timer.unref();
  }

  /** Purge everything expired now, batch by batch; errors are logged and retried next interval. */
  async purgeAll(): Promise<void> {
    const cutoff = this.options.clock() - this.options.retentionMs;
    let messages = 0;
    let expiredDeliveries = 0;
    let endpoints = 0;
    try {
      while (!this.stopped) {
        const batch = await this.store.purgeExpired(cutoff, this.options.batchSize, this.options.clock());
        messages += batch.messages;
        expiredDeliveries += batch.expiredDeliveries;
        endpoints += batch.endpoints;
        this.options.givenUp?.(batch.expiredDeliveries);
        if (batch.done) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // While the database is away the API and the workers already say so; the purge just waits its turn.
      if (error instanceof StoreUnavailableError) this.logger.debug({ err: error }, 'retention purge waits for the store');
      else this.logger.error({ err: error }, 'retention purge failed; retrying next interval');
    }
    if (messages > 0 || expiredDeliveries > 0 || endpoints > 0) {
      this.logger.info(
        { messages, expiredDeliveries, endpoints, cutoff: new Date(cutoff).toISOString() },
        'purged data past retention',
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
