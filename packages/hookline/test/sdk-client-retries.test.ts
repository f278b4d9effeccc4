import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Hookline, HooklineNetworkError } from '@hookline/sdk/client';
import { TestHookline } from './helpers/hookline.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

// The SDK client's retries against real servers: one that refuses connections, and a gateway in front of
// a real hookline that loses an answer.
let hl: TestHookline;
let rx: Receiver;
let hookline: Hookline;

before(async () => {
  [hl, rx] = await Promise.all([TestHookline.start(), Receiver.start()]);
  hookline = new Hookline({ baseUrl: hl.url, token: hl.server.adminToken });
});
after(async () => {
  await hl.stop();
  await rx.close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@hookline/sdk client retries', () => {
  it('retries a refused connection and then throws HooklineNetworkError', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const delays: number[] = [];
    const offline = new Hookline({
      baseUrl: url,
      token: 't',
      retry: { maxRetries: 2 },
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const error = await offline.apps.create({ name: 'never' }).then(
      () => assert.fail('expected a network error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HooklineNetworkError);
    assert.equal(
      error.attempts,
      3,
      'a refused connection never reached the server, so even a create is retried',
    );
    assert.equal(delays.length, 2);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('a send retried after a gateway timeout is still one message and one delivery', async () => {
    const app = await hookline.apps.create({ name: 'gateway' });
    await hookline.endpoints.create(app.id, { url: `${rx.url}/gateway` });
    // A proxy that forwards everything, but answers the first message POST with 504 after hookline
    // accepted it, as a gateway whose upstream was slow would.
    const upstreamIds: string[] = [];
    const proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await fetch(`${hl.url}${req.url}`, {
        method: req.method,
        headers: { authorization: String(req.headers.authorization), 'content-type': 'application/json' },
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      });
      const text = await answer.text();
      if (req.method === 'POST' && req.url?.endsWith('/messages')) {
        upstreamIds.push(JSON.parse(text).id);
        if (upstreamIds.length === 1) {
          res.writeHead(504, { 'content-type': 'text/plain' }).end('upstream timed out');
          return;
        }
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(text);
    });
    const through = new Hookline({
      baseUrl: await listen(proxy),
      token: hl.server.adminToken,
      sleep: async () => {},
    });
    try {
      const sent = await through.messages.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
      assert.equal(upstreamIds.length, 2, 'the 504 was retried');
      assert.deepEqual(upstreamIds, [sent.id, sent.id], 'both tries are the same message');
      const stats = await waitFor(async () => {
        const s = await hookline.stats.app(app.id);
        return s.succeeded === 1 ? s : null;
      }, 'the delivery');
      assert.equal(stats.count, 1);
      assert.equal(rx.on('/gateway').length, 1);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
