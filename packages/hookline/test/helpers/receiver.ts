import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What to answer; `delayMs` or `until` holds the response back (a slow or stuck receiver). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** Answer only once this settles (and only if the sender is still connected). */
  until?: Promise<unknown>;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request. `reply` decides each answer from the
 * request and how many requests this path has had before it.
 */
export class Receiver {
  readonly requests: Received[] = [];
  private server: Server;
  private counts = new Map<string, number>();
  reply: (req: Received, seenOnPath: number) => Reply = () => ({ status: 200, body: 'ok' });

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const received: Received = {
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const seen = this.counts.get(path) ?? 0;
        this.counts.set(path, seen + 1);
        this.requests.push(received);
        const reply = this.reply(received, seen);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body ?? '');
        };
        if (reply.until) void reply.until.then(send, send);
        else if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
