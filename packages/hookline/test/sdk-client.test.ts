import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_ROUTES,
  type FetchLike,
  Hookline,
  HooklineApiError,
  HooklineNetworkError,
  type RouteKey,
} from '@hookline/sdk/client';
import { currentOpenApi } from '../src/cli/gen-docs.js';
import { TestHookline } from './helpers/hookline.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

// The SDK's client against a real hookline (SQLite, in this process) and a real receiver.
let hl: TestHookline;
let rx: Receiver;
let hookline: Hookline;
const exercised = new Set<string>();
let requests = 0;

const ROUTE_PATTERNS = CLIENT_ROUTES.map((route) => {
  const [method, template] = route.split(' ') as [string, string];
  return { route, method, pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`) };
});

/** The route a request is for (by method and path), or `METHOD path` when the client has none. */
function routeOf(method: string, url: string): string {
  const { pathname } = new URL(url);
  return (
    ROUTE_PATTERNS.find((r) => r.method === method && r.pattern.test(pathname))?.route ??
    `${method} ${pathname}`
  );
}

/** The global fetch, noting which routes the client called. */
const recordingFetch: FetchLike = (input, init) => {
  requests++;
  exercised.add(routeOf(init.method ?? 'GET', input));
  return fetch(input, init);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

before(async () => {
  [hl, rx] = await Promise.all([TestHookline.start(), Receiver.start()]);
  hookline = new Hookline({ baseUrl: hl.url, token: hl.server.adminToken, fetch: recordingFetch });
});
after(async () => {
  await hl.stop();
  await rx.close();
});

/** The error a call rejects with, and how many requests it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; sent: number }> {
  const before = requests;
  try {
    await call();
  } catch (error) {
    return { error, sent: requests - before };
  }
  assert.fail('expected the call to fail');
}

describe('@hookline/sdk client against a real hookline', () => {
  it('has a method for every route of the OpenAPI document the server serves', async () => {
    const doc = (await hookline.openApi()) as { paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(doc, JSON.parse(JSON.stringify(currentOpenApi())));
    const missing = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !(CLIENT_ROUTES as readonly string[]).includes(route));
    assert.deepEqual(missing, [], 'add these routes to packages/sdk/src/client (same path template)');
  });

  it('creates, reads, lists, updates and deletes apps; {app} takes the id or the uid', async () => {
    const created = await hookline.apps.create({ name: 'Acme', uid: 'acme-sdk' });
    assert.match(created.id, /^app_[^.]+$/);
    assert.equal(created.uid, 'acme-sdk');
    assert.deepEqual(await hookline.apps.get('acme-sdk'), created);
    const renamed = await hookline.apps.update('acme-sdk', { name: 'Acme Inc' });
    assert.equal(renamed.name, 'Acme Inc');
    assert.equal(renamed.id, created.id);

    const others = [await hookline.apps.create({ name: 'b' }), await hookline.apps.create({ name: 'c' })];
    const listed: string[] = [];
    const before = requests;
    for await (const app of hookline.apps.list({ limit: 1 })) listed.push(app.id);
    assert.deepEqual(listed.slice(0, 3), [others[1]!.id, others[0]!.id, created.id], 'newest first');
    assert.equal(requests - before, listed.length, 'one page per app at limit 1');
    const page = await hookline.apps.list({ limit: 2 }).page();
    assert.equal(page.data.length, 2);
    assert.equal(page.done, listed.length <= 2);

    await hookline.apps.delete(others[0]!.id);
    const { error, sent } = await failure(() => hookline.apps.get(others[0]!.id));
    assert.ok(error instanceof HooklineApiError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'app_not_found');
    assert.equal(error.title, 'No such app');
    assert.match(error.detail, new RegExp(others[0]!.id));
    assert.equal(error.problem?.type, 'https://hookline.dev/errors/app_not_found');
    assert.equal(sent, 1, 'a 404 is never retried');
  });

  it('manages endpoints: create, list, get, update, secret, delete', async () => {
    const app = await hookline.apps.create({ name: 'endpoints' });
    const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/ep-a`, eventTypes: ['order.paid'] });
    assert.match(ep.id, /^ep_/);
    assert.deepEqual(ep.eventTypes, ['order.paid']);
    const second = await hookline.endpoints.create(app.id, { url: `${rx.url}/ep-b`, description: 'all' });
    assert.deepEqual(second.eventTypes, []);

    const ids = (await hookline.endpoints.list(app.id, { limit: 1 }).toArray()).map((e) => e.id);
    assert.deepEqual(ids, [second.id, ep.id]);
    assert.deepEqual(await hookline.endpoints.get(app.id, ep.id), ep);
    const disabled = await hookline.endpoints.update(app.id, ep.id, { disabled: true });
    assert.equal(disabled.disabled, true);
    const { secret } = await hookline.endpoints.secret(app.id, ep.id);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);

    await hookline.endpoints.delete(app.id, second.id);
    const { error } = await failure(() => hookline.endpoints.get(app.id, second.id));
    assert.ok(error instanceof HooklineApiError && error.code === 'endpoint_not_found');
  });

  it('sends messages (an eventId generated when none is given), reads them and walks their attempts', async () => {
    const app = await hookline.apps.create({ name: 'messages' });
    const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/msgs` });
    const sent = await hookline.messages.send(app.id, {
      eventType: 'order.paid',
      payload: { orderId: 'o_1' },
    });
    assert.match(sent.id, /^msg_/);
    assert.match(sent.eventId!, UUID);

    const again = await hookline.messages.send(app.id, {
      eventType: 'order.paid',
      payload: { orderId: 'o_1' },
      eventId: sent.eventId!,
    });
    assert.equal(again.id, sent.id, 'the same eventId is the same message');

    const message = await hookline.messages.get(app.id, sent.id);
    assert.deepEqual(message.payload, { orderId: 'o_1' });
    assert.equal(message.timestamp, sent.timestamp);

    const attempts = await waitFor(async () => {
      const all = await hookline.messages.attempts(app.id, sent.id).toArray();
      return all.length === 1 ? all : null;
    }, 'the attempt');
    assert.equal(attempts[0]!.status, 'succeeded');
    assert.equal(attempts[0]!.endpointId, ep.id);
    assert.equal(rx.on('/msgs').length, 1, 'one delivery for the repeated eventId');

    const stats = await hookline.stats.app(app.uid ?? app.id);
    assert.equal(stats.count, 1);
    assert.equal(stats.succeeded, 1);
    assert.equal(stats.successRate, 1);
    const all = await hookline.stats.all({ since: '2000-01-01T00:00:00.000Z' });
    assert.ok(all.count >= 1);
  });

  it('turns 400, 401 and 413 problems into HooklineApiError with the code and the field, unretried', async () => {
    const app = await hookline.apps.create({ name: 'errors' });
    const bad = await failure(() => hookline.messages.send(app.id, { eventType: 'has space', payload: {} }));
    assert.ok(bad.error instanceof HooklineApiError);
    assert.equal(bad.error.status, 400);
    assert.equal(bad.error.code, 'validation_failed');
    assert.equal(bad.error.errors[0]?.field, 'eventType');
    assert.equal(bad.sent, 1);

    const query = await failure(() => hookline.apps.list({ limit: 500 }).page());
    assert.ok(query.error instanceof HooklineApiError && query.error.code === 'invalid_query');

    const stranger = new Hookline({ baseUrl: hl.url, token: 'not-the-token-at-all', fetch: recordingFetch });
    const denied = await failure(() => stranger.apps.get(app.id));
    assert.ok(denied.error instanceof HooklineApiError);
    assert.equal(denied.error.code, 'unauthorized');
    assert.equal(denied.sent, 1);

    const big = await failure(() =>
      hookline.messages.send(app.id, { eventType: 'big', payload: { blob: 'x'.repeat(1_100_000) } }),
    );
    assert.ok(big.error instanceof HooklineApiError && big.error.code === 'payload_too_large');
  });

  it('reads health, metrics and the OpenAPI document without a token', async () => {
    const anonymous = new Hookline({ baseUrl: hl.url, fetch: recordingFetch });
    const health = await anonymous.health();
    assert.equal(health.status, 'ok');
    assert.match(health.version, /^\d+\.\d+\.\d+/);
    assert.match(await anonymous.metrics(), /hookline_deliveries_total/);
  });

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
    const { error } = await failure(() => offline.apps.create({ name: 'never' }));
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

  it('every route of the OpenAPI document was exercised through the client above', () => {
    const served = Object.entries(currentOpenApi().paths ?? {}).flatMap(([path, methods]) =>
      Object.keys(methods ?? {}).map((m) => `${m.toUpperCase()} ${path}` as RouteKey),
    );
    const untested = [...served, 'GET /healthz', 'GET /metrics', 'GET /openapi.json'].filter(
      (route) => !exercised.has(route),
    );
    assert.deepEqual(untested, [], 'test these routes through the client in this file');
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
