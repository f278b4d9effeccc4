import { startWorker } from '../../threads/rpc.js';
import { StoreUnavailableError } from '../errors.js';
import type { DeliveryStore, StoreCapabilities } from '../port.js';
import type { EnqueueInput } from '../types.js';
import { reviveStoreError } from './thread-protocol.js';

/**
 * Open the SQLite store on a thread of its own and return the port, forwarding every method to it.
 * Statements and each group COMMIT's fsync (about a quarter of the event loop's time under load,
 * docs/benchmarks.md) then run beside the HTTP work instead of inside it. Every port method is async, so
 * one generic forwarder serves them all; the worker runs the same SqliteStore the tests exercise directly.
 */
export async function openStoreThread(file: string): Promise<DeliveryStore> {
  const worker = await startWorker(new URL('./store-worker.js', import.meta.url), { file }, {
    revive: reviveStoreError,
    // A crashed store thread fails every waiting and later call with 503, never a hang.
    stopped: (cause) => new StoreUnavailableError(`the store thread stopped: ${cause.message}`),
  });
  const own = {
    capabilities: worker.hello as StoreCapabilities,
    async close() {
      await worker.call('close', []);
      await worker.terminate();
    },
  };
  return new Proxy(own, {
    get: (target, prop) => {
      if (prop in target || typeof prop !== 'string') return target[prop as keyof typeof target];
      if (prop === 'then') return undefined; // not a promise: `await` must not call into the thread
      return (...args: unknown[]) => worker.call(prop, portable(prop, args));
    },
  }) as unknown as DeliveryStore;
}

/** Arguments as they can cross threads: enqueueMessage's id generator stays behind (the worker makes ids). */
function portable(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage') return args;
  const { newDeliveryId: _local, ...input } = args[0] as EnqueueInput;
  return [input];
}
