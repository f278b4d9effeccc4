import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { createFastifyPlugin, createRouter } from '../src/index.js';
import { envelopeBody, officialHeaders, SECRET } from './helpers.js';

type Events = { 'order.paid': { orderId: string } };

describe('Fastify adapter (real server, requests signed by standardwebhooks)', () => {
  const received: string[] = [];
  const hooks = createRouter<Events>({ secret: SECRET, onError: () => {} }).on('order.paid', (data) => {
    if (data.orderId === 'boom') throw new Error('handler failed');
    received.push(data.orderId);
  });
  const app = Fastify();
  app.post('/api/echo', async (request) => ({ echoed: request.body }));
  let base = '';

  before(async () => {
    await app.register(createFastifyPlugin(hooks, { bodyLimit: 4096 }), { prefix: '/webhooks' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  test('verifies the raw bytes of a JSON request and dispatches', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_fastify' });
    const response = await fetch(`${base}/webhooks`, {
      method: 'POST',
      headers: officialHeaders(body),
      body,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(received.splice(0), ['ord_fastify']);
  });

  test('any content type reaches the verifier as bytes', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_text' });
    const headers = { ...officialHeaders(body), 'content-type': 'text/plain; charset=latin1' };
    const response = await fetch(`${base}/webhooks`, { method: 'POST', headers, body });
    assert.equal(response.status, 200);
    assert.deepEqual(received.splice(0), ['ord_text']);
  });

  test('400 on a bad signature, 500 when the handler throws, 413 over bodyLimit', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_bad' });
    const bad = await fetch(`${base}/webhooks`, {
      method: 'POST',
      headers: officialHeaders(body, { secret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==' }),
      body,
    });
    assert.equal(bad.status, 400);
    const boom = envelopeBody('order.paid', { orderId: 'boom' });
    assert.equal(
      (await fetch(`${base}/webhooks`, { method: 'POST', headers: officialHeaders(boom), body: boom }))
        .status,
      500,
    );
    const big = envelopeBody('order.paid', { orderId: 'x'.repeat(5000) });
    assert.equal(
      (await fetch(`${base}/webhooks`, { method: 'POST', headers: officialHeaders(big), body: big })).status,
      413,
    );
    assert.deepEqual(received, []);
  });

  test('routes outside the plugin keep Fastify JSON parsing', async () => {
    const response = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.deepEqual(await response.json(), { echoed: { a: 1 } });
  });
});
