import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isDelivered } from '../dispatch/decide.js';
import type { DispatchObserver } from '../dispatch/dispatcher.js';
import type { SendResult } from '../dispatch/sender.js';
import type { RecordResult } from '../store/port.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/types.js';

/** hookline's Prometheus metrics, in a registry of their own (several servers may share one process). */
export class Metrics implements DispatchObserver {
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
  }

  messageAccepted(created: boolean): void {
    this.messages.inc({ kind: created ? 'new' : 'duplicate' });
  }

  attemptSent(_delivery: ClaimedDelivery, result: SendResult): void {
    this.attempts.inc({ outcome: isDelivered(result.statusCode) ? 'success' : 'failure' });
    this.attemptDuration.observe(result.durationMs / 1000);
  }

  outcomesRecorded(outcomes: AttemptOutcome[], result: RecordResult): void {
    const applied = new Set(result.applied);
    for (const outcome of outcomes) {
      if (!applied.has(outcome.deliveryId)) continue;
      if (outcome.attempt.status === 'succeeded') {
        this.deliveries.inc({ outcome: 'succeeded' });
        this.delay.observe((outcome.attempt.createdAt - outcome.messageTimestamp) / 1000);
      } else if (outcome.next.kind !== 'retry' || result.disabledEndpoints.includes(outcome.endpointId)) {
        this.deliveries.inc({ outcome: 'failed' });
      }
    }
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
