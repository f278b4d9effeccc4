import { MessageChannel } from 'node:worker_threads';
import type { Logger } from 'pino';
import { settleWithin } from '../core/deadline.js';
import type { DeliveryFigures } from '../observe/metrics.js';
import type { OperationalTarget } from '../operational/operational-webhooks.js';
import type { SqliteHost } from '../store/sqlite/store-host.js';
import { startWorker, type WorkerClient } from '../threads/rpc.js';
import type { Delivery, DeliveryConfig } from './delivery.js';
import type { DispatcherHealth } from './dispatcher.js';

/** How long /healthz waits for the delivery thread's own answer. */
const HEALTH_TIMEOUT_MS = 2_000;
/** After a crash the thread starts again after this long, doubling while starting fails, up to the max. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const DELIVERY_WORKER = new URL('./delivery-worker.js', import.meta.url);

/** What the delivery thread starts from (plain data; its port to the store is added). */
export interface DeliveryThreadData {
  config: DeliveryConfig;
  workerId: string;
  operational: OperationalTarget | null;
}

/**
 * The dispatcher and its sender on a thread of their own, beside the event loop that serves the API and runs
 * the SQLite store (one process does everything). Fresh deliveries go from the store straight to this thread
 * the moment their message commits, and outcomes come straight back (docs/benchmarks.md).
 * Metric figures come back once per turn; the thread logs on its own.
 *
 * Supervised: should the thread die (a bug: an uncaught error), messages are still accepted and wait in the
 * store, /healthz says delivery is stopped, and a new thread starts after 1 s (doubling to 30 s while that
 * fails). The dead thread's leases go back first, so what it had in flight is sent again at once.
 */
export async function openDeliveryThread(
  store: SqliteHost,
  data: DeliveryThreadData,
  figures: (figures: DeliveryFigures) => void,
  logger: Logger,
  workerUrl: URL = DELIVERY_WORKER,
): Promise<Delivery & { failure(): string | null }> {
  let worker: WorkerClient;
  /** Set while no thread runs (it died, and the next one has not started yet). */
  let stopped: Error | null = null;
  let closed = false;
  let restartMs = RESTART_FIRST_MS;
  let restartTimer: NodeJS.Timeout | null = null;
  /** Which thread is the current one: late events of an earlier one change nothing. */
  let generation = 0;
  const ignore = () => undefined;

  const launch = async (): Promise<WorkerClient> => {
    const mine = ++generation;
    const { port1, port2 } = new MessageChannel();
    store.attachDelivery(port1, data.workerId, data.config.leaseMs);
    return startWorker(workerUrl, { ...data, capabilities: store.capabilities, port: port2 }, {
      transfer: [port2],
      onEvent: (event, value) => {
        if (event === 'figures') figures(value as DeliveryFigures);
      },
      stopped: (cause) => {
        const error = new Error(`the delivery thread stopped: ${cause.message}`);
        if (mine !== generation) return error;
        // Messages accepted from now on wait in the queue, unleased, for the next thread to send them.
        store.setDeliveryRoom(false);
        port1.close();
        stopped = error;
        if (!closed && restartTimer === null) {
          logger.error({ err: { message: cause.message } }, `${error.message}; starting a new one in ${restartMs} ms`);
          restartTimer = setTimeout(() => void restart(), restartMs);
        }
        return error;
      },
    });
  };

  const restart = async (): Promise<void> => {
    try {
      await store.releaseAllLeases(Date.now());
      const next = await launch();
      if (closed) return void (await next.terminate());
      worker = next;
      restartTimer = null;
      stopped = null;
      restartMs = RESTART_FIRST_MS;
      void worker.call('start', []).catch(ignore);
      logger.info('the delivery thread runs again');
    } catch (error) {
      restartMs = Math.min(restartMs * 2, RESTART_MAX_MS);
      logger.error({ err: { message: (error as Error).message } }, `starting the delivery thread failed; next try in ${restartMs} ms`);
      restartTimer = closed ? null : setTimeout(() => void restart(), restartMs);
    }
  };

  worker = await launch();
  return {
    enqueue: (input) => store.enqueueForDelivery(input),
    wake: () => void worker.call('wake', []).catch(ignore),
    endpointChanged: (endpointId) => worker.call('endpointChanged', [endpointId]).then(ignore, ignore),
    start: () => void worker.call('start', []).catch(ignore),
    stop: async (graceMs) => {
      if (closed) return;
      closed = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      await worker.call('stop', [graceMs]).catch(ignore);
      await worker.terminate();
    },
    health: async (): Promise<DispatcherHealth> => {
      if (stopped) return { ok: false, reason: stopped.message };
      // /healthz must answer even if the thread is stuck: it then reports it.
      const answer = (worker.call('health', []) as Promise<DispatcherHealth>).catch(
        (error: Error): DispatcherHealth => ({ ok: false, reason: error.message }),
      );
      return settleWithin(answer, HEALTH_TIMEOUT_MS, () => ({
        ok: false,
        reason: `the delivery thread has not answered for ${HEALTH_TIMEOUT_MS} ms`,
      }));
    },
    failure: () => (stopped && !closed ? stopped.message : null),
  };
}
