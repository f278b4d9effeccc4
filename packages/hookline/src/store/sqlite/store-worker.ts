/**
 * The SQLite store's own thread: it owns the connection, runs every statement and every COMMIT (with its
 * fsync), so the event loop that serves HTTP and sends webhooks never waits on the disk. Entry point of
 * the worker that store-thread.ts starts; it answers `{id, method, args}` calls with `{id, ok, value|error}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newId } from '../../core/ids.js';
import type { EnqueueInput } from '../types.js';
import { SqliteStore } from './sqlite-store.js';
import { Outbox, serializeError, type StoreCall, type StoreReply } from './thread-protocol.js';

const port = parentPort!;
const { file } = workerData as { file: string };

let store: SqliteStore;
try {
  store = new SqliteStore(file);
  port.postMessage([{ id: 0, ok: true, value: store.capabilities }] satisfies StoreReply[]);
} catch (error) {
  port.postMessage([{ id: 0, ok: false, error: serializeError(error) }] satisfies StoreReply[]);
  process.exit(0);
}

const replies = new Outbox<StoreReply>((items) => {
  try {
    port.postMessage(items);
  } catch {
    // A value that cannot cross threads fails its own call, not the batch or the thread.
    for (const item of items) {
      try {
        port.postMessage([item]);
      } catch (error) {
        port.postMessage([{ id: item.id, ok: false, error: serializeError(error) }] satisfies StoreReply[]);
      }
    }
  }
});

port.on('message', (calls: StoreCall[]) => {
  for (const call of calls) run(call);
});

function run(call: StoreCall): void {
  const args = call.method === 'enqueueMessage' ? [withDeliveryIds(call.args[0] as EnqueueInput)] : call.args;
  const method = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[call.method];
  Promise.resolve()
    .then(() => {
      if (typeof method !== 'function') throw new Error(`the store has no method ${call.method}`);
      return method.apply(store, args);
    })
    .then(
      (value) => replies.push({ id: call.id, ok: true, value }),
      (error: unknown) => replies.push({ id: call.id, ok: false, error: serializeError(error) }),
    );
}

/** Functions cannot cross threads: delivery ids are made here, stamped with the message's time as ingest does. */
function withDeliveryIds(input: EnqueueInput): EnqueueInput {
  return { ...input, newDeliveryId: () => newId('dlv', input.message.timestamp) };
}
