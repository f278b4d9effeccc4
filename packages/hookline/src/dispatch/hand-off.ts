import type { DeliveryStore } from '../store/port.js';
import type { ClaimedDelivery, EnqueueInput, MessageSummary } from '../store/types.js';

/** A message to enqueue, before it is known who sends its deliveries. */
export type FreshMessage = Omit<EnqueueInput, 'leaseTo'>;

/** What ingest needs back: the message as stored (the first one for a repeated eventId). */
export interface Accepted {
  message: MessageSummary;
  /** False when `eventId` was seen before. */
  created: boolean;
}

/** The dispatcher that sends a process's fresh deliveries, as the enqueue sees it. */
export interface HandOff {
  readonly workerId: string;
  /** How long a delivery handed over stays leased (extended while in flight). */
  readonly leaseMs: number;
  hasCapacity(): boolean;
  /** Send deliveries already leased to this worker. */
  accept(deliveries: ClaimedDelivery[]): void;
  /** New work is due: look at the queue. */
  wake(): void;
}

/**
 * Store a message; while `to` has room, its fresh deliveries are leased to it in the same commit and handed
 * over from memory (no claim, no second read). Null when the app no longer exists (nothing stored).
 */
export async function enqueueAndHandOff(store: DeliveryStore, input: FreshMessage, to: HandOff): Promise<Accepted | null> {
  const leaseTo = to.hasCapacity() ? { workerId: to.workerId, until: input.message.timestamp + to.leaseMs } : null;
  const result = await store.enqueueMessage({ ...input, leaseTo });
  if (result === null) return null;
  if (result.leased.length > 0) to.accept(result.leased);
  else if (result.created) to.wake();
  return result;
}
