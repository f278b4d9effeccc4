import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createFetchHandler, createNextRouteHandler, createRouter, MemoryDedupStore } from '../src/index.js';
import { createRouter as createWebRouter } from '../src/web.js';
import { close, deferred, envelopeBody, officialHeaders, SECRET } from './helpers.js';

type Events = { 'order.paid': { orderId: string }; 'user.registered': { email: string } };

describe('Hono adapter (real server via @hono/node-server, requests signed by standardwebhooks)', () => {
  const received: string[] = [];
  const hooks = createRouter<Events>({ secret: SECRET }).on('order.paid', (data) => {
    received.push(`node ${data.orderId}`);
  });
  const edgeHooks = createWebRouter<Events>({ secret: SECRET }).on('order.paid', (data) => {
    received.push(`web ${data.orderId}`);
  });
  const app = new Hono();
  app.post('/webhooks', (c) => hooks.handleRequest(c.req.raw));
  const edge = createFetchHandler(edgeHooks, { maxBodyBytes: 4096 });
  app.post('/edge-webhooks', (c) => edge(c.req.raw));
  let server: Server;
  let base = '';

  before(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => close(server));

  test('hooks.handleRequest(c.req.raw) verifies and dispatches', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_hono' });
    const response = await fetch(`${base}/webhooks`, {
      method: 'POST',
      headers: officialHeaders(body),
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(received.splice(0), ['node ord_hono']);
  });

  test('the web-crypto router behind createFetchHandler does the same', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_edge' });
    const response = await fetch(`${base}/edge-webhooks`, {
      method: 'POST',
      headers: officialHeaders(body),
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(received.splice(0), ['web ord_edge']);
    const stale = officialHeaders(body, { timestamp: new Date(Date.now() - 3_600_000) });
    const old = await fetch(`${base}/edge-webhooks`, { method: 'POST', headers: stale, body });
    assert.equal(old.status, 400);
    assert.equal(((await old.json()) as { error: { code: string } }).error.code, 'timestamp_too_old');
    const big = envelopeBody('order.paid', { orderId: 'x'.repeat(5000) });
    const tooLarge = await fetch(`${base}/edge-webhooks`, {
      method: 'POST',
      headers: officialHeaders(big),
      body: big,
    });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(received, []);
  });
});

describe('Next.js App Router route handler (called with a Request, as Next does)', () => {
  function post(body: string, headers: Record<string, string>) {
    return new Request('http://localhost:3000/api/webhooks', { method: 'POST', headers, body });
  }

  test('export const POST = createNextRouteHandler(hooks) verifies and dispatches', async () => {
    const received: string[] = [];
    const hooks = createRouter<Events>({ secret: SECRET, dedup: new MemoryDedupStore() });
    hooks.on('user.registered', (data) => {
      received.push(data.email);
    });
    const POST = createNextRouteHandler(hooks);
    const body = envelopeBody('user.registered', { email: 'ada@example.com' });
    const headers = officialHeaders(body, { id: 'msg_next' });
    const first = await POST(post(body, headers));
    assert.equal(first.status, 200);
    const again = await POST(post(body, officialHeaders(body, { id: 'msg_next' })));
    assert.deepEqual(await again.json(), { ok: true, duplicate: true });
    assert.equal((await POST(post(body.replace('ada', 'eve'), headers))).status, 400);
    assert.deepEqual(received, ['ada@example.com']);
  });

  test('with ackFirst, the handler work is handed to Next.js after()', async () => {
    const gate = deferred();
    const finished: string[] = [];
    const hooks = createRouter<Events>({ secret: SECRET, ackFirst: true });
    hooks.on('order.paid', async (data) => {
      await gate.promise;
      finished.push(data.orderId);
    });
    const afterWork: Promise<unknown>[] = [];
    const POST = createNextRouteHandler(hooks, { after: (work) => afterWork.push(work) });
    const body = envelopeBody('order.paid', { orderId: 'ord_after' });
    const response = await POST(post(body, officialHeaders(body)));
    assert.equal(response.status, 202);
    assert.equal(afterWork.length, 1);
    assert.deepEqual(finished, []);
    gate.resolve();
    await Promise.all(afterWork);
    assert.deepEqual(finished, ['ord_after']);
  });

  test('a body already read by other code is a 500 internal_error, and the reason is logged', async (t) => {
    const logged: unknown[][] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => void logged.push(args));
    const POST = createNextRouteHandler(createRouter<Events>({ secret: SECRET }));
    const body = envelopeBody('order.paid', { orderId: 'ord_read' });
    const request = post(body, officialHeaders(body));
    await request.json(); // the mistake: the signature covers the raw bytes, now gone
    const response = await POST(request);
    assert.equal(response.status, 500);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'internal_error');
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]![1]), /already read/);
  });

  test('anything but POST is 405', async () => {
    const POST = createNextRouteHandler(createRouter<Events>({ secret: SECRET }));
    const response = await POST(new Request('http://localhost:3000/api/webhooks'));
    assert.equal(response.status, 405);
  });
});
