import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type App,
  type Attempt,
  CLIENT_ROUTES,
  type components,
  type Endpoint,
  Hookline,
  type Message,
  type MessageCreate,
  type NotInOpenApi,
  type OperationOf,
  type RouteKey,
  type Stats,
} from '../src/client/index.js';
import { json, scriptedFetch } from './client-helpers.js';

// Compile-time checks: routes the server describes are typed from the generated schemas, not fallbacks.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Schemas = components['schemas'];
const typedFromSchemas: [
  Equal<App, Schemas['App']>,
  Equal<Endpoint, Schemas['Endpoint']>,
  Equal<Message, Schemas['Message']>,
  Equal<MessageCreate, Schemas['MessageCreate']>,
  Equal<Attempt, Schemas['Attempt']>,
  Equal<Stats, Schemas['Stats']>,
  Equal<OperationOf<'GET /v1/apps/{app}'> extends NotInOpenApi ? true : false, false>,
] = [true, true, true, true, true, true, true];

/** A client whose fetch answers `answer` to everything and records what was sent. */
function recorder(answer: Response = json(200, { data: [], iterator: null, done: true })) {
  const { fetch, sent } = scriptedFetch(answer);
  const hookline = new Hookline({ baseUrl: 'http://hookline.test/base/', token: 'hk_secret', fetch });
  return { hookline, sent };
}

type Call = (h: Hookline) => Promise<unknown>;

/** Each client method, the route it must call, and the query and body it must send (per CONTRACT.md). */
const CASES: Array<[RouteKey, string, Call, Record<string, string>?, unknown?]> = [
  [
    'POST /v1/apps',
    '/v1/apps',
    (h) => h.apps.create({ name: 'Acme', uid: 'acme' }),
    {},
    { name: 'Acme', uid: 'acme' },
  ],
  ['GET /v1/apps', '/v1/apps', (h) => h.apps.list({ limit: 10 }).page(), { limit: '10' }],
  ['GET /v1/apps/{app}', '/v1/apps/acme', (h) => h.apps.get('acme')],
  ['PATCH /v1/apps/{app}', '/v1/apps/acme', (h) => h.apps.update('acme', { name: 'A' }), {}, { name: 'A' }],
  ['DELETE /v1/apps/{app}', '/v1/apps/acme', (h) => h.apps.delete('acme')],
  [
    'POST /v1/event-types',
    '/v1/event-types',
    (h) => h.eventTypes.create({ name: 'order.paid', description: 'paid', schema: { type: 'object' } }),
    {},
    { name: 'order.paid', description: 'paid', schema: { type: 'object' } },
  ],
  ['GET /v1/event-types', '/v1/event-types', (h) => h.eventTypes.list().page()],
  ['GET /v1/event-types/{name}', '/v1/event-types/order.paid', (h) => h.eventTypes.get('order.paid')],
  [
    'PATCH /v1/event-types/{name}',
    '/v1/event-types/order.paid',
    (h) => h.eventTypes.update('order.paid', { description: 'd' }),
    {},
    { description: 'd' },
  ],
  ['DELETE /v1/event-types/{name}', '/v1/event-types/order.paid', (h) => h.eventTypes.archive('order.paid')],
  [
    'POST /v1/apps/{app}/endpoints',
    '/v1/apps/acme/endpoints',
    (h) => h.endpoints.create('acme', { url: 'https://x.test/h', eventTypes: ['a'] }),
    {},
    { url: 'https://x.test/h', eventTypes: ['a'] },
  ],
  [
    'GET /v1/apps/{app}/endpoints',
    '/v1/apps/acme/endpoints',
    (h) => h.endpoints.list('acme', { limit: 5, iterator: 'it_1' }).page(),
    { limit: '5', iterator: 'it_1' },
  ],
  [
    'GET /v1/apps/{app}/endpoints/{ep}',
    '/v1/apps/acme/endpoints/ep_1',
    (h) => h.endpoints.get('acme', 'ep_1'),
  ],
  [
    'PATCH /v1/apps/{app}/endpoints/{ep}',
    '/v1/apps/acme/endpoints/ep_1',
    (h) => h.endpoints.update('acme', 'ep_1', { disabled: false }),
    {},
    { disabled: false },
  ],
  [
    'DELETE /v1/apps/{app}/endpoints/{ep}',
    '/v1/apps/acme/endpoints/ep_1',
    (h) => h.endpoints.delete('acme', 'ep_1'),
  ],
  [
    'GET /v1/apps/{app}/endpoints/{ep}/secret',
    '/v1/apps/acme/endpoints/ep_1/secret',
    (h) => h.endpoints.secret('acme', 'ep_1'),
  ],
  [
    'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate',
    '/v1/apps/acme/endpoints/ep_1/secret/rotate',
    (h) => h.endpoints.rotateSecret('acme', 'ep_1'),
    {},
    {},
  ],
  [
    'POST /v1/apps/{app}/endpoints/{ep}/recover',
    '/v1/apps/acme/endpoints/ep_1/recover',
    (h) => h.endpoints.recover('acme', 'ep_1', { since: '2026-11-23T00:00:00.000Z' }),
    {},
    { since: '2026-11-23T00:00:00.000Z' },
  ],
  [
    'GET /v1/apps/{app}/endpoints/{ep}/stats',
    '/v1/apps/acme/endpoints/ep_1/stats',
    (h) => h.endpoints.stats('acme', 'ep_1', { since: '2026-11-23T00:00:00.000Z' }),
    { since: '2026-11-23T00:00:00.000Z' },
  ],
  [
    'POST /v1/apps/{app}/messages',
    '/v1/apps/acme/messages',
    (h) => h.messages.send('acme', { eventType: 'order.paid', payload: { n: 1 }, eventId: 'e-1' }),
    {},
    { eventType: 'order.paid', payload: { n: 1 }, eventId: 'e-1' },
  ],
  [
    'GET /v1/apps/{app}/messages',
    '/v1/apps/acme/messages',
    (h) =>
      h.messages
        .list('acme', {
          eventType: 'order.paid',
          after: '2026-11-01T00:00:00Z',
          before: '2026-11-02T00:00:00Z',
          limit: 2,
        })
        .page(),
    { eventType: 'order.paid', after: '2026-11-01T00:00:00Z', before: '2026-11-02T00:00:00Z', limit: '2' },
  ],
  [
    'GET /v1/apps/{app}/messages/{msg}',
    '/v1/apps/acme/messages/msg_1',
    (h) => h.messages.get('acme', 'msg_1'),
  ],
  [
    'GET /v1/apps/{app}/messages/{msg}/attempts',
    '/v1/apps/acme/messages/msg_1/attempts',
    (h) => h.messages.attempts('acme', 'msg_1', { limit: 250 }).page(),
    { limit: '250' },
  ],
  [
    'POST /v1/apps/{app}/messages/{msg}/resend',
    '/v1/apps/acme/messages/msg_1/resend',
    (h) => h.messages.resend('acme', 'msg_1', { endpointId: 'ep_1' }),
    {},
    { endpointId: 'ep_1' },
  ],
  [
    'POST /v1/apps/{app}/tokens',
    '/v1/apps/acme/tokens',
    (h) => h.tokens.create('acme', { name: 'ci' }),
    {},
    { name: 'ci' },
  ],
  [
    'GET /v1/apps/{app}/tokens',
    '/v1/apps/acme/tokens',
    (h) => h.tokens.list('acme', { limit: 3 }).page(),
    { limit: '3' },
  ],
  [
    'DELETE /v1/apps/{app}/tokens/{token}',
    '/v1/apps/acme/tokens/tok_1',
    (h) => h.tokens.revoke('acme', 'tok_1'),
  ],
  ['GET /v1/operational-webhook', '/v1/operational-webhook', (h) => h.operationalWebhook()],
  [
    'GET /v1/stats',
    '/v1/stats',
    (h) => h.stats.all({ since: '2026-11-23T00:00:00.000Z' }),
    { since: '2026-11-23T00:00:00.000Z' },
  ],
  ['GET /v1/apps/{app}/stats', '/v1/apps/acme/stats', (h) => h.stats.app('acme')],
  ['GET /healthz', '/healthz', (h) => h.health()],
  ['GET /metrics', '/metrics', (h) => h.metrics()],
  ['GET /openapi.json', '/openapi.json', (h) => h.openApi()],
];

describe('every client method sends its route', () => {
  test('the cases cover every route of CLIENT_ROUTES, once', () => {
    assert.ok(typedFromSchemas.every(Boolean));
    assert.deepEqual(CASES.map(([route]) => route).sort(), [...CLIENT_ROUTES].sort());
  });

  for (const [route, path, call, query = {}, body] of CASES) {
    test(route, async () => {
      const { hookline, sent } = recorder();
      await call(hookline);
      assert.equal(sent.length, 1);
      const [request] = sent;
      assert.equal(`${request!.method} ${request!.url.pathname}`, `${route.split(' ')[0]} /base${path}`);
      assert.equal(request!.url.origin, 'http://hookline.test');
      assert.deepEqual(Object.fromEntries(request!.url.searchParams), query);
      assert.deepEqual(request!.body, body);
      assert.equal(request!.headers.get('authorization'), 'Bearer hk_secret');
      assert.equal(request!.headers.get('content-type'), body === undefined ? null : 'application/json');
    });
  }
});

describe('request details', () => {
  test('path parameters are encoded, so an id cannot reach another route', async () => {
    const { hookline, sent } = recorder(json(200, {}));
    await hookline.messages.get('my app', '../../v1/stats?x=1');
    assert.equal(sent[0]!.url.pathname, '/base/v1/apps/my%20app/messages/..%2F..%2Fv1%2Fstats%3Fx%3D1');
    assert.equal(sent[0]!.url.search, '');
  });

  test('an empty id is refused before any request', async () => {
    const { hookline, sent } = recorder();
    await assert.rejects(hookline.apps.get(''), /app must be a non-empty string/);
    assert.equal(sent.length, 0);
  });

  test('204 resolves to undefined; metrics resolve to text; an unhealthy 503 health is an answer', async () => {
    assert.equal(await recorder(new Response(null, { status: 204 })).hookline.apps.delete('a'), undefined);
    const text = '# HELP hookline_attempts_total x\n';
    assert.equal(await recorder(new Response(text, { status: 200 })).hookline.metrics(), text);
    const unhealthy = recorder(json(503, { status: 'unhealthy', version: '0.1.0' }));
    assert.deepEqual(await unhealthy.hookline.health(), { status: 'unhealthy', version: '0.1.0' });
    assert.equal(unhealthy.sent.length, 1, 'health is not retried');
  });

  test('client-wide and per-call headers are sent; no token means no authorization header', async () => {
    const { fetch, sent } = scriptedFetch(json(200, {}));
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch, headers: { 'x-team': 'a' } });
    await hookline.health({ headers: { 'x-request-id': 'r1' } });
    assert.equal(sent[0]!.headers.get('x-team'), 'a');
    assert.equal(sent[0]!.headers.get('x-request-id'), 'r1');
    assert.equal(sent[0]!.headers.get('authorization'), null);
  });

  test("a call's headers replace the client's whatever their case; its authorization replaces the token", async () => {
    const { fetch, sent } = scriptedFetch(json(200, {}));
    const hookline = new Hookline({
      baseUrl: 'http://hookline.test',
      fetch,
      token: 'admin',
      headers: { 'X-Team': 'a' },
    });
    await hookline.apps.update('a', { name: 'b' }, {
      headers: { authorization: 'Bearer app', 'x-team': 'b', 'Content-Type': 'application/merge-patch+json' },
    });
    await hookline.apps.update('a', { name: 'b' }, { headers: { Authorization: 'Bearer other' } });
    await hookline.apps.get('a');
    assert.equal(sent[0]!.headers.get('authorization'), 'Bearer app');
    assert.equal(sent[0]!.headers.get('x-team'), 'b');
    assert.equal(sent[0]!.headers.get('content-type'), 'application/merge-patch+json');
    assert.equal(sent[1]!.headers.get('authorization'), 'Bearer other');
    assert.equal(sent[1]!.headers.get('content-type'), 'application/json');
    assert.equal(sent[2]!.headers.get('authorization'), 'Bearer admin');
    assert.equal(sent[2]!.headers.get('x-team'), 'a');
  });
});
