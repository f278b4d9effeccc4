import { MessageChannel } from 'node:worker_threads';
import type { DeliveryFigures } from '../observe/metrics.js';
import type { OperationalTarget } from '../operational/operational-webhooks.js';
import type { SqliteHost } from '../store/sqlite/store-host.js';
import { startWorker } from '../threads/rpc.js';
import type { Delivery, DeliveryConfig } from './delivery.js';
import type { DispatcherHealth } from './dispatcher.js';

/** How long /healthz waits for the delivery thread's own answer. */
const HEALTH_TIMEOUT_MS = 2_000;

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
 */
export async function openDeliveryThread(
  store: SqliteHost,
  data: DeliveryThreadData,
  figures: (figures: DeliveryFigures) => void,
): Promise<Delivery & { failure(): string | null }> {
  const { port1, port2 } = new MessageChannel();
  store.attachDelivery(port1, data.workerId, data.config.leaseMs);
  let stopped: Error | null = null;
  let closed = false;
  const worker = await startWorker(
    new URL('./delivery-worker.js', import.meta.url),
    { ...data, capabilities: store.capabilities, port: port2 },
    {
      transfer: [port2],
      onEvent: (event, value) => {
        if (event === 'figures') figures(value as DeliveryFigures);
      },
      stopped: (cause) => {
        // Messages accepted from now on wait in the queue, unleased, for the next start to send them.
        store.setDeliveryRoom(false);
        return (stopped = new Error(`the delivery thread stopped: ${cause.message}`));
      },
    },
  );
  const ignore = () => undefined;
  return {
    enqueue: (input) => store.enqueueForDelivery(input),
    wake: () => void worker.call('wake', []).catch(ignore),
    start: () => void worker.call('start', []).catch(ignore),
    stop: async (graceMs) => {
      if (closed) return;
      closed = true;
      await worker.call('stop', [graceMs]).catch(ignore);
      await worker.terminate();
    },
    health: async (): Promise<DispatcherHealth> => {
      if (stopped) return { ok: false, reason: stopped.message };
      // /healthz must answer even if the thread is stuck: it then reports it.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<DispatcherHealth>((resolve) => {
        const reason = `the delivery thread has not answered for ${HEALTH_TIMEOUT_MS} ms`;
        timer = setTimeout(() => resolve({ ok: false, reason }), HEALTH_TIMEOUT_MS);
      });
      try {
        const answer = (worker.call('health', []) as Promise<DispatcherHealth>).catch(
          (error: Error): DispatcherHealth => ({ ok: false, reason: error.message }),
        );
        return await Promise.race([answer, stuck]);
      } finally {
        clearTimeout(timer);
      }
    },
    failure: () => (stopped && !closed ? stopped.message : null),
  };
}
