import type { Logger } from 'pino';
import type { ServeConfig } from '../config/config.js';
import { newId } from '../core/ids.js';
import type { DeliveryStore } from '../store/port.js';
import { type DispatchObserver, Dispatcher, type DispatcherHealth, type DispatcherOptions } from './dispatcher.js';
import { type Accepted, enqueueAndHandOff, type FreshMessage } from './hand-off.js';
import { Sender } from './sender.js';

/** A process's delivery (dispatcher and sender) as the rest of it uses it, wherever it runs. */
export interface Delivery {
  /** Store a message; its fresh deliveries go to this process's dispatcher from memory. */
  enqueue(input: FreshMessage): Promise<Accepted | null>;
  /** Something may be due now (endpoint re-enabled, resend): look at the queue. */
  wake(): void;
  /**
   * The endpoint was changed, disabled or deleted: what waits to go to it goes back to the store, to be
   * claimed again as the endpoint now is (never while it is disabled). With an app id: every endpoint of
   * that deleted app. Resolves once this process's dispatcher has done so.
   */
  endpointChanged(endpointId: string): Promise<void>;
  start(): void;
  /** Stop claiming; give in-flight attempts up to `graceMs`, release the rest, close connections. */
  stop(graceMs: number): Promise<void>;
  health(): Promise<DispatcherHealth>;
}

/** What delivery needs of the configuration (plain data: it crosses to the delivery thread). */
export type DeliveryConfig = Pick<
  ServeConfig,
  'leaseMs' | 'requestTimeoutMs' | 'allowPrivateNetwork' | 'retrySchedule' | 'autoDisableAfterMs' | 'logLevel'
>;

export function dispatcherOptions(config: DeliveryConfig, workerId: string, multiProcess: boolean): DispatcherOptions {
  return {
    workerId,
    leaseMs: config.leaseMs,
    maxInFlight: 2048,
    claimBatch: 256,
    pollMs: multiProcess ? 1000 : 5000,
    requestTimeoutMs: config.requestTimeoutMs,
    clock: Date.now,
    schedule: config.retrySchedule,
    autoDisableAfterMs: config.autoDisableAfterMs,
    random: Math.random,
    newAttemptId: (now) => newId('atmpt', now),
  };
}

/** The dispatcher's reports to `metrics` and, when there is one, to the operational webhooks. */
export function deliveryObserver(
  metrics: DispatchObserver,
  operational: Pick<DispatchObserver, 'outcomesRecorded'> | null,
): DispatchObserver {
  if (!operational) return metrics;
  return {
    ...metrics,
    outcomesRecorded: (outcomes, result) => {
      metrics.outcomesRecorded(outcomes, result);
      operational.outcomesRecorded(outcomes, result);
    },
  };
}

/** A dispatcher and its sender on this event loop, over `store`. */
export function localDelivery(
  store: DeliveryStore,
  config: DeliveryConfig,
  workerId: string,
  logger: Logger,
  observer: DispatchObserver,
): Delivery & { dispatcher: Dispatcher } {
  const sender = new Sender({ requestTimeoutMs: config.requestTimeoutMs, allowPrivateNetwork: config.allowPrivateNetwork });
  const options = dispatcherOptions(config, workerId, store.capabilities.multiProcess);
  const dispatcher = new Dispatcher(store, sender, options, logger, observer);
  return {
    dispatcher,
    enqueue: (input) => enqueueAndHandOff(store, input, dispatcher),
    wake: () => dispatcher.wake(),
    endpointChanged: async (endpointId) => dispatcher.endpointChanged(endpointId),
    start: () => dispatcher.start(),
    stop: async (graceMs) => {
      await dispatcher.stop(graceMs);
      await sender.close(true);
    },
    health: async () => dispatcher.health(),
  };
}
