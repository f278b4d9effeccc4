import { connectDedicated, type PgListenConnection, type PgOptions } from './driver.js';
import { ENDPOINT_CHANGED_CHANNEL, LISTEN_ENDPOINT_CHANGED, LISTEN_NEW_WORK } from './statements.js';

export type StoreLog = (level: 'info' | 'warn', message: string, error?: unknown) => void;

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * One dedicated connection LISTENing for new work and for changed endpoints, shared by every subscriber
 * of the store. When it breaks it reconnects with backoff; after each (re)connect new-work subscribers are
 * called once, because announcements sent while it was away are lost (the dispatcher's polling covers the
 * gap too; a disabled endpoint missed then is still never claimed, only what already waited may go).
 */
export class NewWorkListener {
  private readonly subscribers = new Set<() => void>();
  private readonly changedSubscribers = new Set<(endpointId: string) => void>();
  private connection: PgListenConnection | null = null;
  private connecting = false;
  private stopped = false;
  private retryMs = MIN_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private failingSince: number | null = null;

  constructor(
    private readonly url: string,
    private readonly options: Pick<PgOptions, 'connectTimeoutMs' | 'queryTimeoutMs'>,
    private readonly log: StoreLog,
  ) {}

  subscribe(listener: () => void): () => void {
    return this.add(this.subscribers, listener);
  }

  /** Called with the id of each endpoint any process changes, disables or deletes. */
  subscribeChanged(listener: (endpointId: string) => void): () => void {
    return this.add(this.changedSubscribers, listener);
  }

  private add<T>(set: Set<T>, listener: T): () => void {
    set.add(listener);
    if (!this.connection && !this.connecting && !this.retryTimer) void this.connect();
    return () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const connection = this.connection;
    this.connection = null;
    await connection?.end();
  }

  private announce(): void {
    for (const subscriber of this.subscribers) subscriber();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    let connection: PgListenConnection | null = null;
    try {
      connection = await connectDedicated(this.url, this.options);
      connection.onNotification((channel, payload) => {
        if (channel !== ENDPOINT_CHANGED_CHANNEL) return this.announce();
        for (const subscriber of this.changedSubscribers) subscriber(payload);
      });
      connection.onClose((error) => this.lost(connection!, error));
      await connection.query(LISTEN_NEW_WORK);
      await connection.query(LISTEN_ENDPOINT_CHANGED);
    } catch (error) {
      await connection?.end();
      this.connecting = false;
      this.failingSince ??= Date.now();
      if (this.retryMs === MIN_RETRY_MS) this.log('warn', 'cannot LISTEN for new work; polling meanwhile', error);
      this.retryLater();
      return;
    }
    this.connecting = false;
    if (this.stopped) {
      await connection.end();
      return;
    }
    this.connection = connection;
    if (this.failingSince !== null) {
      this.log('info', `listening for new work again after ${Date.now() - this.failingSince} ms`);
      this.failingSince = null;
    }
    this.retryMs = MIN_RETRY_MS;
    this.announce();
  }

  private lost(connection: PgListenConnection, error: Error | null): void {
    if (this.connection !== connection || this.stopped) return;
    this.connection = null;
    this.failingSince = Date.now();
    this.log('warn', 'the LISTEN connection closed; reconnecting, polling meanwhile', error ?? undefined);
    void connection.end();
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
