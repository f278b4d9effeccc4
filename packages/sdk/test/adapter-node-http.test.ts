import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createNodeHandler, createRouter, readRawBody } from '../src/index.js';
import { close, envelopeBody, listen, officialHeaders } from './helpers.js';

type Events = { 'order.paid': { orderId: string }; 'user.registered': { email: string } };

describe('node:http adapter (real server, requests signed by standardwebhooks)', () => {
  const received: string[] = [];
  const hooks = createRouter<Events>({ secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', onError: () => {} });
  hooks.on('order.paid', (data) => {
    received.push(`paid ${data.orderId}`);
  });
  hooks.on('user.registered', (data) => {
    if (data.email === 'fail@example.com') throw new Error('handler failed');
    received.push(`registered ${data.email}`);
  });
  const server = createServer(createNodeHandler(hooks, { maxBodyBytes: 4096 }));
  let base = '';

  before(async () => {
    base = await listen(server);
  });
  after(() => close(server));

  test('a signed request reaches its handler with the exact bytes (spacing, unicode)', async () => {
    const body = envelopeBody('order.paid', { orderId: 'ord_ü' });
    const response = await fetch(`${base}/webhooks`, {
      method: 'POST',
      headers: officialHeaders(body),
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(received.splice(0), ['paid ord_ü']);
  });

  test('a tampered body answers 400, a throwing handler 500', async () => {
    const body = envelopeBody('user.registered', { email: 'ada@example.com' });
    const tampered = await fetch(`${base}/`, {
      method: 'POST',
      headers: officialHeaders(body),
      body: body.replace('ada', 'eve'),
    });
    assert.equal(tampered.status, 400);
    assert.equal(
      ((await tampered.json()) as { error: { code: string } }).error.code,
      'no_matching_signature',
    );
    const failing = envelopeBody('user.registered', { email: 'fail@example.com' });
    const failed = await fetch(`${base}/`, {
      method: 'POST',
      headers: officialHeaders(failing),
      body: failing,
    });
    assert.equal(failed.status, 500);
    assert.deepEqual(received, []);
  });

  test('GET is 405; a body over maxBodyBytes is 413', async () => {
    const get = await fetch(`${base}/`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const big = envelopeBody('order.paid', { orderId: 'x'.repeat(5000) });
    const tooLarge = await fetch(`${base}/`, { method: 'POST', headers: officialHeaders(big), body: big });
    assert.equal(tooLarge.status, 413);
    assert.equal(((await tooLarge.json()) as { error: { code: string } }).error.code, 'payload_too_large');
  });

  test('readRawBody joins a chunked body byte for byte and enforces its limit', async () => {
    const bodies: Buffer[] = [];
    const errors: string[] = [];
    const raw = createServer(async (req, res) => {
      try {
        bodies.push(await readRawBody(req, 10_000));
        res.end('ok');
      } catch (error) {
        errors.push((error as Error).name);
        res.statusCode = 413;
        res.end();
      }
    });
    const url = new URL(await listen(raw));
    const send = (chunks: Buffer[]) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    try {
      const parts = [
        Buffer.from('{"a":'),
        Buffer.from([0xe2, 0x98]),
        Buffer.from([0x95]),
        Buffer.from('"x"}'),
      ];
      assert.equal(await send(parts), 200);
      assert.deepEqual(bodies[0], Buffer.concat(parts));
      assert.equal(await send([Buffer.alloc(6000), Buffer.alloc(6000)]), 413);
      assert.deepEqual(errors, ['PayloadTooLargeError']);
    } finally {
      await close(raw);
    }
  });
});
