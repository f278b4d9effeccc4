/**
 * The SQLite store's own thread: it owns the connection, runs every statement and every COMMIT (with its
 * fsync), so the event loop that serves HTTP never waits on the disk. Entry point of the worker that
 * store-thread.ts starts. The main thread calls it over the worker's port; the delivery thread over a
 * port of its own, through which fresh deliveries go to it the moment their message is committed.
 */
import type { MessagePort } from 'node:worker_threads';
import { newId } from '../../core/ids.js';
import { type Accepted, enqueueAndHandOff, type FreshMessage, type HandOff } from '../../dispatch/hand-off.js';
import { type Emit, serveOnThread, serveRpc } from '../../threads/rpc.js';
import type { ClaimedDelivery, EnqueueInput } from '../types.js';
import { SqliteStore } from './sqlite-store.js';

/** The delivery thread as seen from here: its room is what it last said; deliveries go to it as events. */
class DeliveryLink implements HandOff {
  room = true;
  constructor(
    readonly workerId: string,
    readonly leaseMs: number,
    private readonly emit: Emit,
  ) {}

  hasCapacity(): boolean {
    return this.room;
  }

  accept(deliveries: ClaimedDelivery[]): void {
    this.emit('accept', deliveries);
  }

  wake(): void {
    this.emit('wake', null);
  }
}

/** What the threads call: the store's methods, and the link to the delivery thread. */
class StoreHost {
  private link: DeliveryLink | null = null;
  /** What both threads call: this host, then the store. */
  readonly api: object = served(this);

  constructor(readonly store: SqliteStore) {}

  attachDelivery(port: MessagePort, workerId: string, leaseMs: number): void {
    const emit = serveRpc(port, this.api, prepare);
    this.link = new DeliveryLink(workerId, leaseMs, emit);
  }

  /** The delivery thread says whether it has room for fresh deliveries. */
  setDeliveryRoom(room: boolean): void {
    if (this.link) this.link.room = room;
  }

  async enqueueForDelivery(input: FreshMessage): Promise<Accepted | null> {
    const result = this.link
      ? await enqueueAndHandOff(this.store, input, this.link)
      : await this.store.enqueueMessage({ ...input, leaseTo: null });
    if (result === null) return null;
    const { id, appId, eventType, eventId, timestamp } = result.message;
    return { message: { id, appId, eventType, eventId, timestamp }, created: result.created }; // no payload echo
  }
}

/** The host's own methods, then the store's (each bound once). */
function served(host: StoreHost): object {
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(host, {
    get: (target, prop) => {
      if (prop in target) return target[prop as keyof StoreHost];
      let method = bound.get(prop);
      if (method === undefined) {
        const own = (target.store as unknown as Record<string | symbol, unknown>)[prop];
        method = typeof own === 'function' ? own.bind(target.store) : null;
        bound.set(prop, method);
      }
      return method ?? undefined;
    },
  });
}

/** Functions cannot cross threads: delivery ids are made here, stamped with the message's time as ingest does. */
function prepare(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage' && method !== 'enqueueForDelivery') return args;
  const input = args[0] as EnqueueInput;
  return [{ ...input, newDeliveryId: () => newId('dlv', input.message.timestamp) }];
}

await serveOnThread(
  (data) => new StoreHost(new SqliteStore((data as { file: string }).file)).api,
  (api) => (api as StoreHost).store.capabilities,
  prepare,
);
