/**
 * The SQLite store's own thread: it owns the connection, runs every statement and every COMMIT (with its
 * fsync), so the event loop that serves HTTP never waits on the disk. Entry point of the worker that
 * store-thread.ts starts.
 */
import { newId } from '../../core/ids.js';
import { serveOnThread } from '../../threads/rpc.js';
import type { EnqueueInput } from '../types.js';
import { SqliteStore } from './sqlite-store.js';

await serveOnThread(
  (data) => new SqliteStore((data as { file: string }).file),
  (store) => store.capabilities,
  (method, args) => (method === 'enqueueMessage' ? [withDeliveryIds(args[0] as EnqueueInput)] : args),
);

/** Functions cannot cross threads: delivery ids are made here, stamped with the message's time as ingest does. */
function withDeliveryIds(input: EnqueueInput): EnqueueInput {
  return { ...input, newDeliveryId: () => newId('dlv', input.message.timestamp) };
}
