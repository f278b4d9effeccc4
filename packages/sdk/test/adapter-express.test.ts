import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { createExpressHandler, createRouter, RawBodyUnavailableError } from '../src/index.js';
import { close, envelopeBody, listen, officialHeaders, SECRET } from './helpers.js';

type Events = { 'order.paid': { orderId: string } };

describe('Express adapter (real server, requests signed by standardwebhooks)', () => {
  const received: string[] = [];
  const errors: unknown[] = [];
  const hooks = createRouter<Events>({ secret: SECRET }).on('order.paid', (data) => {
    received.push(data.orderId);
  });
  const app = express();
  app.post('/with-raw', express.raw({ type: '*/*', limit: '5mb' }), createExpressHandler(hooks));
  app.post('/no-parser', createExpressHandler(hooks));
  app.post('/api/echo', express.json(), (req, res) => {
    res.json({ echoed: req.body });
  });
  app.post('/after-json', express.json(), createExpressHandler(hooks));
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    errors.push(error);
    res.status(500).json({ error: (error as Error).message });
  });
  const server = createServer(app);
  let base = '';

  before(async () => {
    base = await listen(server);
  });
  after(() => close(server));

  for (const path of ['/with-raw', '/no-parser']) {
    test(`${path}: verifies the exact bytes and dispatches; a tampered body is 400`, async () => {
      const body = envelopeBody('order.paid', { orderId: `ord_${path}` });
      const ok = await fetch(`${base}${path}`, { method: 'POST', headers: officialHeaders(body), body });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { ok: true });
      assert.deepEqual(received.splice(0), [`ord_${path}`]);
      const bad = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: officialHeaders(body),
        body: `${body}\n`,
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(received, []);
    });
  }

  test('other routes keep express.json()', async () => {
    const response = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.deepEqual(await response.json(), { echoed: { a: 1 } });
  });

  test('behind express.json() the raw bytes are gone: a clear error reaches the error handler', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_json' });
    const response = await fetch(`${base}/after-json`, {
      method: 'POST',
      headers: officialHeaders(body),
      body,
    });
    assert.equal(response.status, 500);
    assert.ok(errors[0] instanceof RawBodyUnavailableError);
    assert.match(((await response.json()) as { error: string }).error, /before express\.json\(\)/);
    assert.deepEqual(received, []);
  });
});
