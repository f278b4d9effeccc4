import type { MessagePort } from 'node:worker_threads';
import { newId } from '../../core/ids.js';
import { type Accepted, enqueueAndHandOff, type FreshMessage, type HandOff } from '../../dispatch/hand-off.js';
import { type Emit, serveRpc } from '../../threads/rpc.js';
import type { DeliveryStore, StoreCapabilities } from '../port.js';
import type { ClaimedDelivery, EnqueueInput } from '../types.js';
import { SqliteStore } from './sqlite-store.js';

/** The delivery thread as the host sees it: its room is what it last said; deliveries go to it as events. */
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

/**
 * The SQLite store on the event loop that serves the API, serving the delivery thread's calls over a port.
 * An ingest commits without leaving its loop, and its fresh deliveries go to the delivery thread the moment
 * they commit. On the 2-core machines measured, this beat a store on a thread of its own (one more hop each
 * way per request: +20 % deliveries/s, p99 delay 10 ms instead of 12–22) and a single loop (delivery's CPU
 * then shares the one core); docs/benchmarks.md.
 */
export class SqliteHost extends SqliteStore {
  private link: DeliveryLink | null = null;

  /** Serve the delivery thread's calls on `port`, and lease fresh deliveries to `workerId` while it has room. */
  attachDelivery(port: MessagePort, workerId: string, leaseMs: number): void {
    this.link = new DeliveryLink(workerId, leaseMs, serveRpc(port, this, withDeliveryIds));
  }

  /** The delivery thread says whether it takes fresh deliveries now (false: they wait in the queue, unleased). */
  setDeliveryRoom(room: boolean): void {
    if (this.link) this.link.room = room;
  }

  /** Store a message and hand its fresh deliveries straight to the attached delivery thread. */
  enqueueForDelivery(input: FreshMessage): Promise<Accepted | null> {
    return this.link ? enqueueAndHandOff(this, input, this.link) : this.enqueueMessage({ ...input, leaseTo: null });
  }
}

/** Functions cannot cross threads: delivery ids are made here, stamped with the message's time as ingest does. */
function withDeliveryIds(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage') return args;
  const input = args[0] as EnqueueInput;
  return [{ ...input, newDeliveryId: () => newId('dlv', input.message.timestamp) }];
}

/**
 * The host's store as another thread holds it: every method a call through `call`, except the `own` ones.
 * Every port method is async, so one generic forwarder serves them all.
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

/** Arguments as they can cross threads: the enqueue's id generator stays behind (the host makes ids). */
function portable(method: string, args: unknown[]): unknown[] {
  if (method !== 'enqueueMessage') return args;
  const { newDeliveryId: _local, ...input } = args[0] as EnqueueInput;
  return [input];
}
