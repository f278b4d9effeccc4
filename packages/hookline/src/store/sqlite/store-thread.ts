import type { MessagePort } from 'node:worker_threads';
import type { Accepted, FreshMessage } from '../../dispatch/hand-off.js';
import { startWorker } from '../../threads/rpc.js';
import { StoreUnavailableError } from '../errors.js';
import type { DeliveryStore, StoreCapabilities } from '../port.js';
import type { EnqueueInput } from '../types.js';
import { reviveStoreError } from './thread-protocol.js';

/** The SQLite store on its thread, as the main thread holds it. */
export interface StoreThread extends DeliveryStore {
  /**
   * Serve the delivery thread's calls on `port`, and lease fresh deliveries to `workerId` from now on
   * (while it says it has room), handing them to it over that port.
   */
  attachDelivery(port: MessagePort, workerId: string, leaseMs: number): Promise<void>;
  /** Store a message and hand its fresh deliveries straight to the attached delivery thread. */
  enqueueForDelivery(input: FreshMessage): Promise<Accepted | null>;
  /** Whether the delivery thread takes fresh deliveries now (false: they wait in the queue, unleased). */
  setDeliveryRoom(room: boolean): Promise<void>;
}

/**
 * Open the SQLite store on a thread of its own and return the port, forwarding every method to it.
 * Statements and each group COMMIT's fsync (about a quarter of the event loop's time under load,
 * docs/benchmarks.md) then run beside the HTTP work instead of inside it. Every port method is async, so
 * one generic forwarder serves them all; the worker runs the same SqliteStore the tests exercise directly.
 */
export async function openStoreThread(file: string): Promise<StoreThread> {
  const worker = await startWorker(new URL('./store-worker.js', import.meta.url), { file }, {
    revive: reviveStoreError,
    // A crashed store thread fails every waiting and later call with 503, never a hang.
    stopped: (cause) => new StoreUnavailableError(`the store thread stopped: ${cause.message}`),
  });
  return forwardStore(worker.call, worker.hello as StoreCapabilities, {
    async close() {
      await worker.call('close', []);
      await worker.terminate();
    },
    attachDelivery: async (port: MessagePort, workerId: string, leaseMs: number) => {
      await worker.call('attachDelivery', [port, workerId, leaseMs], [port]);
    },
  }) as StoreThread;
}

/** `isStoreThread(store)`: the store runs on a thread of its own (and can feed a delivery thread). */
export function isStoreThread(store: DeliveryStore): store is StoreThread {
  return 'attachDelivery' in store;
}

/**
 * A DeliveryStore whose methods are calls through `call` (to the store thread, from any thread), except
 * the `own` ones.
 */
export function forwardStore(
  call: (method: string, args: unknown[]) => Promise<unknown>,
  capabilities: StoreCapabilities,
  own: object,
): DeliveryStore {
  const local = { capabilities, ...own };
  return new Proxy(local, {
    get: (target, prop) => {
      if (prop in target || typeof prop !== 'string') return target[prop as keyof typeof target];
      if (prop === 'then') return undefined; // not a promise: `await` must not call into the thread
      return (...args: unknown[]) => call(prop, portable(prop, args));
    },
  }) as unknown as DeliveryStore;
}

/** Arguments as they can cross threads: the enqueue's id generator stays behind (the worker makes ids). */
function portable(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage' && method !== 'enqueueForDelivery') return args;
  const { newDeliveryId: _local, ...input } = args[0] as EnqueueInput;
  return [input];
}
