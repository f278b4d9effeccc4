import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_ROUTES,
  type FetchLike,
  Hookline,
  HooklineApiError,
  type RouteKey,
} from '@hookline/sdk/client';
import { verifyWebhook } from '@hookline/sdk';
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

/** The routes of the OpenAPI document of the server under test. */
const SERVED = new Set(
  Object.entries(currentOpenApi().paths ?? {}).flatMap(([path, methods]) =>
    Object.keys(methods ?? {}).map((m) => `${m.toUpperCase()} ${path}`),
  ),
);

/** Run a test only once the server has these routes (the client's methods for them exist already). */
function when(...routes: RouteKey[]): { skip?: string } {
  const missing = routes.filter((route) => !SERVED.has(route));
  return missing.length > 0 ? { skip: `the server has no ${missing.join(', ')} yet` } : {};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

before(async () => {
  // A one-retry schedule, so a failing delivery is given up (and can be recovered) within a second.
  [hl, rx] = await Promise.all([TestHookline.start({ retrySchedule: '50ms' }), Receiver.start()]);
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

  it('manages event types: create, get, list, update, archive', when('POST /v1/event-types'), async () => {
    const schema = { type: 'object', required: ['orderId'] };
    const created = await hookline.eventTypes.create({ name: 'sdk.order.paid', description: 'paid', schema });
    assert.equal(created.name, 'sdk.order.paid');
    const read = await hookline.eventTypes.get('sdk.order.paid');
    assert.equal(read.description, 'paid');
    assert.deepEqual(read.schema, schema);
    const names = (await hookline.eventTypes.list({ limit: 1 }).toArray()).map((t) => t.name);
    assert.ok(names.includes('sdk.order.paid'));
    const updated = await hookline.eventTypes.update('sdk.order.paid', { description: 'an order was paid' });
    assert.equal(updated.description, 'an order was paid');
    await hookline.eventTypes.archive('sdk.order.paid');
  });

  it(
    'lists messages newest first, filtered by event type across pages',
    when('GET /v1/apps/{app}/messages'),
    async () => {
      const app = await hookline.apps.create({ name: 'message-list' });
      const paid: string[] = [];
      for (const [i, eventType] of ['order.paid', 'user.registered', 'order.paid', 'order.paid'].entries()) {
        const sent = await hookline.messages.send(app.id, { eventType, payload: { i } });
        if (eventType === 'order.paid') paid.unshift(sent.id);
      }
      const before = requests;
      const listed = await hookline.messages.list(app.id, { eventType: 'order.paid', limit: 1 }).toArray();
      assert.deepEqual(
        listed.map((m) => m.id),
        paid,
      );
      assert.ok(listed.every((m) => m.eventType === 'order.paid'));
      assert.ok(requests - before >= 3, 'one page per message');
    },
  );

  it(
    'resends a message: the receiver gets it again with the same webhook-id',
    when('POST /v1/apps/{app}/messages/{msg}/resend'),
    async () => {
      const app = await hookline.apps.create({ name: 'resend' });
      const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/resend` });
      const sent = await hookline.messages.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
      // Recorded, not only received: a delivery still in flight is not queued again (its attempt is the resend).
      await waitFor(
        async () => (await hookline.messages.attempts(app.id, sent.id).toArray()).length === 1,
        'the first attempt recorded',
      );
      assert.equal(rx.on('/resend').length, 1);
      assert.deepEqual(await hookline.messages.resend(app.id, sent.id, { endpointId: ep.id }), { queued: 1 });
      await waitFor(() => rx.on('/resend').length === 2, 'the resent delivery');
      assert.deepEqual(
        rx.on('/resend').map((r) => r.headers['webhook-id']),
        [sent.id, sent.id],
      );
    },
  );

  it(
    'recovers an endpoint: deliveries that failed since then are sent again',
    when('POST /v1/apps/{app}/endpoints/{ep}/recover', 'GET /v1/apps/{app}/endpoints/{ep}/stats'),
    async () => {
      const app = await hookline.apps.create({ name: 'recover' });
      const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/recover` });
      const since = new Date(Date.now() - 1000).toISOString();
      let failing = true;
      rx.reply = (req) =>
        req.path === '/recover' && failing ? { status: 500 } : { status: 200, body: 'ok' };
      const sent = await hookline.messages.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
      await waitFor(
        async () => (await hookline.endpoints.stats(app.id, ep.id)).failed === 1,
        'the delivery to give up',
      );
      failing = false;
      await hookline.endpoints.recover(app.id, ep.id, { since });
      const attempts = await waitFor(async () => {
        const all = await hookline.messages.attempts(app.id, sent.id).toArray();
        return all[0]?.status === 'succeeded' ? all : null;
      }, 'the recovered delivery');
      assert.equal(attempts[0]!.attemptNumber, attempts.length, 'attemptNumber continues');
    },
  );

  it(
    'rotates a secret: the old one still signs alongside the new one',
    when('POST /v1/apps/{app}/endpoints/{ep}/secret/rotate'),
    async () => {
      const app = await hookline.apps.create({ name: 'rotate' });
      const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/rotate` });
      const { secret: old } = await hookline.endpoints.secret(app.id, ep.id);
      await hookline.endpoints.rotateSecret(app.id, ep.id);
      const { secret: fresh } = await hookline.endpoints.secret(app.id, ep.id);
      assert.notEqual(fresh, old);
      await hookline.messages.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
      const [delivery] = await waitFor(
        () => (rx.on('/rotate').length ? rx.on('/rotate') : null),
        'the delivery',
      );
      for (const secret of [old, fresh])
        assert.equal(
          verifyWebhook(secret, delivery!.body, delivery!.headers as Record<string, string>).type,
          'order.paid',
        );
    },
  );

  it(
    'creates, lists and revokes app-scoped tokens that reach only their own app',
    when('POST /v1/apps/{app}/tokens', 'GET /v1/apps/{app}/tokens'),
    async () => {
      const [own, other] = [
        await hookline.apps.create({ name: 'own' }),
        await hookline.apps.create({ name: 'other' }),
      ];
      const created = await hookline.tokens.create(own.id, { name: 'ci' });
      assert.ok(created.token.length > 0);
      assert.ok((await hookline.tokens.list(own.id).toArray()).some((t) => t.id === created.id));
      const scoped = new Hookline({ baseUrl: hl.url, token: created.token, fetch: recordingFetch });
      assert.equal((await scoped.apps.get(own.id)).id, own.id);
      const elsewhere = await failure(() => scoped.apps.get(other.id));
      assert.ok(elsewhere.error instanceof HooklineApiError && elsewhere.error.status === 404);
      const admin = await failure(() => scoped.stats.all());
      assert.ok(admin.error instanceof HooklineApiError && admin.error.status === 403);
      await hookline.tokens.revoke(own.id, created.id);
      const revoked = await failure(() => scoped.apps.get(own.id));
      assert.ok(revoked.error instanceof HooklineApiError && revoked.error.code === 'unauthorized');
    },
  );

  it("reads one endpoint's stats", when('GET /v1/apps/{app}/endpoints/{ep}/stats'), async () => {
    const app = await hookline.apps.create({ name: 'endpoint-stats' });
    const ep = await hookline.endpoints.create(app.id, { url: `${rx.url}/ep-stats` });
    await hookline.messages.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
    const stats = await waitFor(async () => {
      const s = await hookline.endpoints.stats(app.id, ep.id, { since: '2000-01-01T00:00:00.000Z' });
      return s.succeeded === 1 ? s : null;
    }, 'the delivery');
    assert.equal(stats.count, 1);
  });

  it(
    'asks for the operational webhook; without one configured it is a typed 4xx',
    when('GET /v1/operational-webhook'),
    async () => {
      const { error, sent } = await failure(() => hookline.operationalWebhook());
      assert.ok(error instanceof HooklineApiError);
      assert.ok(error.status >= 400 && error.status < 500, String(error.status));
      assert.equal(sent, 1);
    },
  );

  it('every route of the OpenAPI document was exercised through the client above', () => {
    const untested = [...SERVED, 'GET /healthz', 'GET /metrics', 'GET /openapi.json'].filter(
      (route) => !exercised.has(route),
    );
    assert.deepEqual(untested, [], 'test these routes through the client in this file');
  });
});
