import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isDelivered } from '../dispatch/decide.js';
import type { DispatchObserver } from '../dispatch/dispatcher.js';
import type { RecordResult } from '../store/port.js';
import type { AttemptOutcome } from '../store/types.js';
import { Outbox } from '../threads/rpc.js';

/** What the dispatcher's reports become: attempts and finished deliveries. */
export interface MetricsSink {
  attempt(delivered: boolean, durationMs: number): void;
  finished(succeeded: boolean, delayMs: number): void;
}

/**
 * A dispatcher's figures as plain numbers, to cross threads: triples of (ATTEMPT or FINISHED, 1|0 for
 * delivered/succeeded, the attempt's duration or the delivery's delay in ms).
 */
export type DeliveryFigures = number[];
const ATTEMPT = 0;
const FINISHED = 1;

/** The dispatcher's reports as metric figures for `sink`. */
export function metricsObserver(sink: MetricsSink): DispatchObserver {
  return {
    attemptSent: (_delivery, result) => sink.attempt(isDelivered(result.statusCode), result.durationMs),
    outcomesRecorded: (outcomes: AttemptOutcome[], result: RecordResult) => {
      const applied = new Set(result.applied);
      // A resend asked for during the attempt keeps the delivery going: it has not finished yet.
      const resent = new Set(result.resent);
      const givenUp = new Set(result.givenUp);
      for (const outcome of outcomes) {
        if (!applied.has(outcome.deliveryId) || resent.has(outcome.deliveryId)) continue;
        if (outcome.next.kind === 'succeeded') {
          sink.finished(true, outcome.attempt.createdAt - outcome.messageTimestamp);
        } else if (outcome.next.kind === 'failed' || givenUp.has(outcome.deliveryId)) {
          // Given up (schedule exhausted, 410, the attempt that auto-disabled its endpoint). The endpoint's
          // other deliveries that a 410 or auto-disable parks stay pending, as in /v1/stats.
          sink.finished(false, 0);
        }
      }
    },
  };
}

/** Collects figures on one thread and hands them over once per event-loop turn. */
export class FiguresBatch implements MetricsSink {
  private readonly outbox: Outbox<number>;

  constructor(send: (figures: DeliveryFigures) => void) {
    this.outbox = new Outbox(send);
  }

  attempt(delivered: boolean, durationMs: number): void {
    this.outbox.push(ATTEMPT, delivered ? 1 : 0, durationMs);
  }

  finished(succeeded: boolean, delayMs: number): void {
    this.outbox.push(FINISHED, succeeded ? 1 : 0, delayMs);
  }
}

/** hookline's Prometheus metrics, in a registry of their own (several servers may share one process). */
export class Metrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly deliveries = new Counter({
    name: 'hookline_deliveries_total',
    help: 'Finished deliveries (one message to one endpoint) by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'hookline_attempts_total',
    help: 'HTTP attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly delay = new Histogram({
    name: 'hookline_delivery_delay_seconds',
    help: 'Delay from message timestamp to the successful attempt being sent',
    buckets: [
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600,
      86400,
    ],
    registers: [this.registry],
  });
  private readonly attemptDuration = new Histogram({
    name: 'hookline_attempt_duration_seconds',
    help: 'Duration of HTTP attempts',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'hookline_messages_total',
    help: 'Messages accepted by the API (duplicate: a repeated eventId)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(queueDepth: () => Promise<number>) {
    new Gauge({
      name: 'hookline_queue_depth',
      help: 'Deliveries pending (not yet succeeded or given up)',
      registers: [this.registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
    for (const outcome of ['succeeded', 'failed']) this.deliveries.inc({ outcome }, 0);
    for (const outcome of ['success', 'failure']) this.attempts.inc({ outcome }, 0);
    for (const kind of ['new', 'duplicate']) this.messages.inc({ kind }, 0);
  }

  messageAccepted(created: boolean): void {
    this.messages.inc({ kind: created ? 'new' : 'duplicate' });
  }

  /** One HTTP attempt. */
  attempt(delivered: boolean, durationMs: number): void {
    this.attempts.inc({ outcome: delivered ? 'success' : 'failure' });
    this.attemptDuration.observe(durationMs / 1000);
  }

  /** One delivery finished: succeeded `delayMs` after its message's time, or given up. */
  finished(succeeded: boolean, delayMs: number): void {
    this.deliveries.inc({ outcome: succeeded ? 'succeeded' : 'failed' });
    if (succeeded) this.delay.observe(delayMs / 1000);
  }

  /** Deliveries given up without an attempt (endpoint deleted, parked past retention): finished, failed. */
  givenUp(count: number): void {
    if (count > 0) this.deliveries.inc({ outcome: 'failed' }, count);
  }

  /** Figures another thread's dispatcher collected (DeliveryFigures). */
  apply(figures: DeliveryFigures): void {
    for (let i = 0; i < figures.length; i += 3) {
      const record = figures[i] === ATTEMPT ? this.attempt : this.finished;
      record.call(this, figures[i + 1] === 1, figures[i + 2]!);
    }
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
