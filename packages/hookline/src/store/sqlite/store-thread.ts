import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../errors.js';
import type { DeliveryStore, StoreCapabilities } from '../port.js';
import type { EnqueueInput } from '../types.js';
import { Outbox, reviveError, type StoreCall, type StoreReply } from './thread-protocol.js';

/**
 * Open the SQLite store on a thread of its own and return the port, forwarding every method to it.
 * Statements and each group COMMIT's fsync (about a quarter of the event loop's time under load,
 * docs/benchmarks.md) then run beside the HTTP work instead of inside it. Every port method is async, so
 * one generic forwarder serves them all; the worker runs the same SqliteStore the tests exercise directly.
 */
export async function openStoreThread(file: string): Promise<DeliveryStore> {
  const worker = new Worker(new URL('./store-worker.js', import.meta.url), { workerData: { file } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  const capabilities = await new Promise<StoreCapabilities>((resolve, reject) => {
    worker.once('message', ([reply]: StoreReply[]) =>
      reply!.ok ? resolve(reply!.value as StoreCapabilities) : reject(reviveError(reply!.error)),
    );
    worker.once('error', reject);
  });
  worker.on('message', (replies: StoreReply[]) => {
    for (const reply of replies) {
      const call = pending.get(reply.id);
      if (!call) continue;
      pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(reviveError(reply.error));
    }
  });
  const calls = new Outbox<StoreCall>((items) => {
    try {
      worker.postMessage(items);
    } catch {
      // An argument that cannot cross threads fails its own call, not the batch or the process.
      for (const item of items) postOne(item);
    }
  });
  const postOne = (item: StoreCall) => {
    try {
      worker.postMessage([item]);
    } catch (error) {
      pending.get(item.id)?.reject(error as Error);
      pending.delete(item.id);
    }
  };
  // A crashed store thread fails every waiting and later call with 503, never a hang.
  const fail = (error: Error) => {
    failure = new StoreUnavailableError(`the store thread stopped: ${error.message}`);
    for (const call of pending.values()) call.reject(failure);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      calls.push({ id, method, args: portable(method, args) });
    });
  };

  const own = {
    capabilities,
    async close() {
      await call('close', []);
      await worker.terminate();
    },
  };
  return new Proxy(own, {
    get: (target, prop) => {
      if (prop in target || typeof prop !== 'string') return target[prop as keyof typeof target];
      if (prop === 'then') return undefined; // not a promise: `await` must not call into the thread
      return (...args: unknown[]) => call(prop, args);
    },
  }) as unknown as DeliveryStore;
}

/** Arguments as they can cross threads: enqueueMessage's id generator stays behind (the worker makes ids). */
function portable(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage') return args;
  const { newDeliveryId: _local, ...input } = args[0] as EnqueueInput;
  return [input];
}
