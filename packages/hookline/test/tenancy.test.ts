import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestHookline } from './helpers/hookline.js';

// One server for the file: two tenants (A and B), each with an app-scoped token, an endpoint and a message.
let hl: TestHookline;
const A = { app: '', uid: 'tenant-a', ep: '', msg: '', token: '', tokenId: '' };
const B = { app: '', uid: 'tenant-b', ep: '', msg: '', token: '', tokenId: '' };
const SINCE = new Date(Date.now() - 3_600_000).toISOString();

before(async () => {
  hl = await TestHookline.start();
  for (const t of [A, B]) {
    t.app = await hl.app(t.uid, t.uid);
    t.ep = (await hl.endpoint(t.app, { url: 'http://127.0.0.1:9/unused', disabled: true })).id;
    t.msg = (await hl.send(t.app, { eventType: 'order.paid', payload: { tenant: t.uid } })).body.id;
    const token = await hl.call('POST', `/v1/apps/${t.app}/tokens`, { name: 'ci' });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    t.token = token.body.token;
    t.tokenId = token.body.id;
  }
});
after(() => hl.stop());

/**
 * Every authenticated route, with a body that passes validation (so only tenancy decides the answer) and
 * who may call it: 'app' = the app's own token too, 'admin' = admin only (an app token gets 403),
 * 'any' = any valid token. The test fails when a route exists that this table does not list.
 */
const ROUTES: Record<string, { access: 'app' | 'admin' | 'any'; body?: unknown }> = {
  'POST /v1/apps': { access: 'admin', body: { name: 'x' } },
  'GET /v1/apps': { access: 'admin' },
  'GET /v1/apps/{app}': { access: 'app' },
  'PATCH /v1/apps/{app}': { access: 'admin', body: { name: 'renamed' } },
  'DELETE /v1/apps/{app}': { access: 'admin' },
  'POST /v1/apps/{app}/tokens': { access: 'admin', body: {} },
  'GET /v1/apps/{app}/tokens': { access: 'admin' },
  'DELETE /v1/apps/{app}/tokens/{token}': { access: 'admin' },
  'POST /v1/event-types': { access: 'admin', body: { name: 'x.y' } },
  'GET /v1/event-types': { access: 'any' },
  'GET /v1/event-types/{name}': { access: 'any' },
  'PATCH /v1/event-types/{name}': { access: 'admin', body: { description: 'd' } },
  'DELETE /v1/event-types/{name}': { access: 'admin' },
  'POST /v1/apps/{app}/endpoints': { access: 'app', body: { url: 'http://127.0.0.1:9/new' } },
  'GET /v1/apps/{app}/endpoints': { access: 'app' },
  'GET /v1/apps/{app}/endpoints/{ep}': { access: 'app' },
  'PATCH /v1/apps/{app}/endpoints/{ep}': { access: 'app', body: { description: 'changed' } },
  'DELETE /v1/apps/{app}/endpoints/{ep}': { access: 'app' },
  'GET /v1/apps/{app}/endpoints/{ep}/secret': { access: 'app' },
  'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate': { access: 'app', body: {} },
  'POST /v1/apps/{app}/endpoints/{ep}/recover': { access: 'app', body: { since: SINCE } },
  'GET /v1/apps/{app}/endpoints/{ep}/stats': { access: 'app' },
  'POST /v1/apps/{app}/messages': { access: 'app', body: { eventType: 'order.paid', payload: { x: 1 } } },
  'GET /v1/apps/{app}/messages': { access: 'app' },
  'GET /v1/apps/{app}/messages/{msg}': { access: 'app' },
  'GET /v1/apps/{app}/messages/{msg}/attempts': { access: 'app' },
  'POST /v1/apps/{app}/messages/{msg}/resend': { access: 'app', body: {} },
  'GET /v1/stats': { access: 'admin' },
  'GET /v1/apps/{app}/stats': { access: 'app' },
  'GET /v1/operational-webhook': { access: 'admin' },
};

const fill = (path: string, ids: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? 'order.paid');

/** Everything tenant A owns, as it stands: a leak or a write by B would change it. */
async function snapshotOfA() {
  const [app, endpoints, messages, stats, tokens] = await Promise.all([
    hl.call('GET', `/v1/apps/${A.app}`),
    hl.call('GET', `/v1/apps/${A.app}/endpoints`),
    hl.call('GET', `/v1/apps/${A.app}/messages`),
    hl.call('GET', `/v1/apps/${A.app}/stats`),
    hl.call('GET', `/v1/apps/${A.app}/tokens`),
  ]);
  const secret = await hl.call('GET', `/v1/apps/${A.app}/endpoints/${A.ep}/secret`);
  return [app, endpoints, messages, stats, tokens, secret].map((r) => r.body);
}

describe('app-scoped tokens and tenancy', () => {
  it('lists every authenticated route of the OpenAPI document in the tenancy table', async () => {
    const doc = (await hl.call('GET', '/openapi.json', undefined, null)).body;
    const documented: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.security?.length) documented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(documented.sort(), Object.keys(ROUTES).sort());
  });

  it("answers 404 on every app route for another tenant's app, endpoint, message or token", async () => {
    const before = await snapshotOfA();
    for (const [key, spec] of Object.entries(ROUTES)) {
      const [method, path] = key.split(' ') as [string, string];
      if (!path.includes('{app}')) continue;
      // B's token on A's app (by id and by uid), then on B's own app with A's ids inside it.
      const attempts = [
        fill(path, { app: A.app, ep: A.ep, msg: A.msg, token: A.tokenId }),
        fill(path, { app: A.uid, ep: A.ep, msg: A.msg, token: A.tokenId }),
      ];
      if (/\{(ep|msg|token)\}/.test(path)) {
        attempts.push(fill(path, { app: B.app, ep: A.ep, msg: A.msg, token: A.tokenId }));
      }
      for (const url of attempts) {
        const res = await hl.call(method, url, spec.body, B.token);
        const expected = spec.access === 'admin' ? 403 : 404;
        assert.equal(res.status, expected, `${method} ${url}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.code, expected === 403 ? /^forbidden$/ : /_not_found$/);
        assert.doesNotMatch(JSON.stringify(res.body), new RegExp(`tenant-a"|${A.ep}"`), 'no data of A');
      }
    }
    // Resending B's own message to A's endpoint is refused the same way.
    const resend = `/v1/apps/${B.app}/messages/${B.msg}/resend`;
    const cross = await hl.call('POST', resend, { endpointId: A.ep }, B.token);
    assert.equal(cross.status, 404);
    assert.equal(cross.body.errors[0].field, 'endpointId');
    assert.deepEqual(await snapshotOfA(), before, 'nothing of A changed or was added');
  });

  it('lets an app token use its own app, read event types, and nothing admin-only (403)', async () => {
    const own = await hl.call('GET', `/v1/apps/${A.uid}`, undefined, A.token);
    assert.equal(own.status, 200);
    assert.equal(own.body.id, A.app);
    for (const path of [`/v1/apps/${A.app}/endpoints`, `/v1/apps/${A.app}/messages`, '/v1/event-types']) {
      assert.equal((await hl.call('GET', path, undefined, A.token)).status, 200, path);
    }
    const message = await hl.call('GET', `/v1/apps/${A.app}/messages/${A.msg}`, undefined, A.token);
    assert.deepEqual(message.body.payload, { tenant: 'tenant-a' });
    const sent = await hl.call('POST', `/v1/apps/${A.app}/messages`, { eventType: 'x', payload: {} }, A.token);
    assert.equal(sent.status, 202);
    for (const [key, spec] of Object.entries(ROUTES)) {
      if (spec.access !== 'admin') continue;
      const [method, path] = key.split(' ') as [string, string];
      const res = await hl.call(method, fill(path, { app: A.app, token: A.tokenId }), spec.body, A.token);
      assert.equal(res.status, 403, key);
      assert.equal(res.body.code, 'forbidden');
    }
    assert.equal((await hl.call('GET', `/v1/apps/${A.app}`)).body.name, 'tenant-a', 'not renamed');
  });

  it('shows a token once, lists it without the token, and revokes it at once', async () => {
    const created = await hl.call('POST', `/v1/apps/${A.app}/tokens`, { name: 'short-lived' });
    assert.match(created.body.token, /^hk_app_[A-Za-z0-9_-]{40,}$/);
    assert.match(created.body.id, /^tok_/);
    const listed = await hl.call('GET', `/v1/apps/${A.app}/tokens`);
    assert.ok(listed.body.data.some((t: { id: string }) => t.id === created.body.id));
    assert.doesNotMatch(JSON.stringify(listed.body), /hk_app_/);
    assert.equal((await hl.call('GET', `/v1/apps/${A.app}`, undefined, created.body.token)).status, 200);
    const revoked = await hl.call('DELETE', `/v1/apps/${A.app}/tokens/${created.body.id}`);
    assert.equal(revoked.status, 204);
    const after = await hl.call('GET', `/v1/apps/${A.app}`, undefined, created.body.token);
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'unauthorized');
    const again = await hl.call('DELETE', `/v1/apps/${A.app}/tokens/${created.body.id}`);
    assert.equal(again.body.code, 'token_not_found');
    assert.equal((await hl.call('DELETE', `/v1/apps/${B.app}/tokens/${A.tokenId}`)).status, 404);
    assert.equal((await hl.call('GET', '/v1/apps', undefined, 'hk_app_not-a-real-token')).status, 401);
  });

  it('answers 404 for the operational webhook when no URL is configured', async () => {
    const res = await hl.call('GET', '/v1/operational-webhook');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'operational_webhook_not_configured');
  });
});
