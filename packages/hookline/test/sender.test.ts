import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { HostResolver } from '../src/dispatch/host-resolver.js';
import { RESPONSE_BODY_LIMIT, Sender } from '../src/dispatch/sender.js';
import type { ClaimedDelivery } from '../src/store/types.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/**
 * The Sender: one attempt's report (status, Retry-After, the capped body),
 * the signature, and one deadline for the whole attempt however the receiver stalls.
 */
let server: Server;
let base: string;
const seen: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/big') return void res.end('é'.repeat(RESPONSE_BODY_LIMIT * 4));
      // A NUL, and an emoji whose surrogate pair straddles the kept length.
      if (req.url === '/awkward') return void res.end(`a\u0000b${'c'.repeat(RESPONSE_BODY_LIMIT - 4)}😀zzz`);
      if (req.url === '/busy') {
        res.writeHead(429, { 'retry-after': '7' });
        return void res.end('slow down');
      }
      if (req.url === '/trickle') {
        // Headers at once, then a byte every 50 ms: no idle timer ever fires.
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const delivery = (path: string): ClaimedDelivery => ({
  deliveryId: 'dlv_1',
  messageId: 'msg_2Abc',
  appId: 'app_1',
  endpointId: 'ep_1',
  url: `${base}${path}`,
  headers: { 'x-tenant': 'acme' },
  secrets: [SECRET],
  eventType: 'order.paid',
  timestamp: Date.UTC(2026, 0, 1),
  payload: '{"order":"o_1"}',
  attemptsMade: 0,
  scheduleStart: 0,
  rateLimit: null,
});

describe('Sender', () => {
  const sender = new Sender({ requestTimeoutMs: 300, allowPrivateNetwork: true });
  after(() => sender.close(true));

  it('posts the signed envelope with the endpoint headers and reports the response', async () => {
    seen.length = 0;
    const result = await sender.send(delivery('/ok'));
    assert.equal(result.statusCode, 200);
    assert.equal(result.responseBody, 'ok');
    assert.equal(result.error, null);
    const [request] = seen;
    assert.equal(request!.headers['x-tenant'], 'acme');
    const headers = Object.fromEntries(
      Object.entries(request!.headers).map(([k, v]) => [k, String(v)]),
    ) as Record<string, string>;
    const verified = new Webhook(SECRET).verify(request!.body, headers);
    assert.deepEqual(verified, {
      type: 'order.paid',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { order: 'o_1' },
    });
  });

  it('still signs with a secret stored before secrets were checked strictly (a stray base64 character)', async () => {
    seen.length = 0;
    const legacy = `${SECRET}A`; // 33 base64 characters: the last one carries no whole byte
    const result = await sender.send({ ...delivery('/ok'), secrets: [legacy] });
    assert.equal(result.statusCode, 200);
    const headers = Object.fromEntries(Object.entries(seen[0]!.headers).map(([k, v]) => [k, String(v)]));
    const verified = new Webhook(SECRET).verify(seen[0]!.body, headers) as { type: string };
    assert.equal(verified.type, 'order.paid', 'signed with the key bytes');
  });

  it('keeps Retry-After and the status of a refusal', async () => {
    const result = await sender.send(delivery('/busy'));
    assert.equal(result.statusCode, 429);
    assert.equal(result.retryAfter, '7');
    assert.equal(result.responseBody, 'slow down');
  });

  it(`keeps at most ${RESPONSE_BODY_LIMIT} characters of a long body`, async () => {
    const result = await sender.send(delivery('/big'));
    assert.equal(result.statusCode, 200);
    assert.equal(result.error, null);
    assert.ok(result.responseBody.length <= RESPONSE_BODY_LIMIT, String(result.responseBody.length));
    assert.match(result.responseBody, /^é+/);
  });

  it('keeps a body every store can hold: U+0000 as U+FFFD, never half a surrogate pair at the cut', async () => {
    const result = await sender.send(delivery('/awkward'));
    assert.equal(result.statusCode, 200);
    assert.equal(result.responseBody, `a\ufffdb${'c'.repeat(RESPONSE_BODY_LIMIT - 4)}`);
  });

  it('ends an attempt at its deadline even when the receiver keeps trickling bytes', async () => {
    const result = await sender.send(delivery('/trickle'));
    assert.equal(result.statusCode, null);
    assert.equal(result.error, 'timeout');
    assert.ok(result.durationMs < 5_000, String(result.durationMs));
  });

  it('reports a refused connection as an error, never a throw', async () => {
    const result = await sender.send({ ...delivery('/'), url: 'http://127.0.0.1:1/nobody' });
    assert.equal(result.statusCode, null);
    assert.match(result.error ?? '', /ECONNREFUSED/);
  });

  it('refuses a private address without trying it, and an unparseable URL, every time', async () => {
    const strict = new Sender({ requestTimeoutMs: 300, allowPrivateNetwork: false });
    try {
      for (let i = 0; i < 2; i++) {
        const refused = await strict.send({ ...delivery('/'), url: 'http://127.0.0.1:1/x' });
        assert.equal(refused.statusCode, null);
        assert.equal(refused.error, 'refused address 127.0.0.1');
        const invalid = await strict.send({ ...delivery('/'), url: 'not a url' });
        assert.equal(invalid.error, 'invalid endpoint URL');
      }
    } finally {
      await strict.close(true);
    }
  });
});

describe('Sender name resolution', () => {
  it("keeps resolving and sending while one tenant's names hang in DNS: one query per name, never a pile", async () => {
    const hanging: Array<() => void> = [];
    const asked: string[] = [];
    const resolver = new HostResolver({
      query: (host, family, callback) => {
        if (family === 4) asked.push(host);
        if (!host.startsWith('dead-')) return callback(null, family === 4 ? ['127.0.0.1'] : []);
        const timedOut = Object.assign(new Error(`query ETIMEOUT ${host}`), { code: 'ETIMEOUT', hostname: host });
        hanging.push(() => callback(timedOut, []));
      },
      lookup: () => assert.fail('every name here is answered by DNS'),
    });
    const sender = new Sender({ requestTimeoutMs: 200, allowPrivateNetwork: true, resolver });
    const port = new URL(base).port;
    const to = (host: string) => ({ ...delivery('/'), url: `http://${host}:${port}/hook` });
    try {
      const dead = await Promise.all(Array.from({ length: 40 }, (_, i) => sender.send(to(`dead-${i % 10}.test`))));
      for (const result of dead) assert.equal(result.error, 'timeout');
      assert.equal(asked.length, 10, 'one query per name, shared by its four attempts');
      const fresh = await sender.send(to('fresh.test'));
      assert.equal(fresh.statusCode, 200, `a name never seen before still resolves: ${JSON.stringify(fresh)}`);
      hanging.splice(0, 2).forEach((release) => release()); // dead-0's A and AAAA queries time out at last
      assert.equal((await sender.send(to('dead-0.test'))).error, 'dns: ETIMEOUT dead-0.test', 'names the host');
    } finally {
      for (const release of hanging) release();
      await sender.close(true);
    }
  });
});
