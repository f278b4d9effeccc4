import { startWorker } from '../threads/rpc.js';
import type { ClaimedDelivery } from '../store/types.js';
import type { SenderOptions, SendResult } from './sender.js';

/** What the dispatcher sends through: a Sender here, or one on a thread of its own. */
export interface DeliverySender {
  /** Sign, POST and report (never throws). */
  send(delivery: ClaimedDelivery): Promise<SendResult>;
  /** Close idle connections; with `force`, abort requests still in flight. */
  close(force?: boolean): Promise<void>;
  /** Why it can no longer send (its thread stopped), for /healthz; null while it can. */
  failure?(): string | null;
}

/**
 * A Sender on a worker thread: the HTTP client work (signing, request writing, response parsing, socket
 * writes: ≈40 % of the event loop's busy time under load, docs/benchmarks.md) runs beside ingest, the
 * store and the dispatcher's bookkeeping. Deliveries cross as one array per event-loop turn.
 */
export async function openSenderThread(options: Omit<SenderOptions, 'clock'>): Promise<DeliverySender> {
  let stopped: Error | null = null;
  const worker = await startWorker(new URL('./sender-worker.js', import.meta.url), options, {
    stopped: (cause) => (stopped = new Error(`the sender thread stopped: ${cause.message}`)),
  });
  let closed = false;
  return {
    failure: () => (stopped && !closed ? stopped.message : null),
    send: (delivery) =>
      (worker.call('send', [delivery]) as Promise<SendResult>).catch((error: Error) => ({
        statusCode: null,
        responseBody: '',
        retryAfter: null,
        error: error.message,
        sentAt: Date.now(),
        durationMs: 0,
      })),
    close: async (force = false) => {
      if (closed) return;
      closed = true;
      await worker.call('close', [force]).catch(() => undefined);
      await worker.terminate();
    },
  };
}
