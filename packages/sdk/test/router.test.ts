import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createRouter,
  type DedupStore,
  type EventMeta,
  MemoryDedupStore,
  signWebhook,
} from '../src/index.js';
import { deferred, envelopeBody, SECRET } from './helpers.js';

interface Order {
  orderId: string;
  amount: number;
}
interface User {
  userId: string;
  email: string;
}
type Events = { 'order.paid': Order; 'user.registered': User };

const order: Order = { orderId: 'ord_1', amount: 4200 };
const user: User = { userId: 'usr_1', email: 'ada@example.com' };

function request(type: string, data: unknown, id = `msg_${Math.random().toString(36).slice(2)}`) {
  const body = envelopeBody(type, data);
  return { body, headers: signWebhook(SECRET, { id, body }), id };
}

function collectErrors() {
  const errors: Array<{ error: unknown; meta: EventMeta | undefined }> = [];
  return { errors, onError: (error: unknown, meta: EventMeta | undefined) => errors.push({ error, meta }) };
}

describe('router: dispatch', () => {
  test('sends each type to its own typed handler with meta', async () => {
    const hooks = createRouter<Events>({ secret: SECRET });
    const seen: string[] = [];
    let orderMeta: EventMeta<'order.paid'> | undefined;
    hooks
      .on('order.paid', async (data, meta) => {
        seen.push(`paid ${data.orderId} ${data.amount}`);
        orderMeta = meta;
      })
      .on('user.registered', (data) => {
        seen.push(`registered ${data.email}`);
      });
    const paid = request('order.paid', order);
    const registered = request('user.registered', user);
    const answers = [
      await hooks.receive(paid.body, {
        ...paid.headers,
        'webhook-attempt': '3',
        'user-agent': 'hookline/0.1.0',
      }),
      await hooks.receive(Buffer.from(registered.body), new Headers(registered.headers)),
    ];
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200],
    );
    assert.deepEqual(JSON.parse(answers[0]!.body), { ok: true });
    assert.deepEqual(seen, ['paid ord_1 4200', 'registered ada@example.com']);
    assert.ok(orderMeta);
    assert.equal(orderMeta.id, paid.id);
    assert.equal(orderMeta.type, 'order.paid');
    assert.equal(orderMeta.timestamp.toISOString(), '2026-11-23T10:00:00.000Z');
    assert.equal(orderMeta.attemptTimestamp.getTime(), Number(paid.headers['webhook-timestamp']) * 1000);
    assert.equal(orderMeta.attempt, 3);
    assert.equal(orderMeta.headers.get('User-Agent'), 'hookline/0.1.0');
  });

  test('answers, and keeps the header as bytes, when a header value is beyond Latin-1 (API gateways decode UTF-8)', async () => {
    const hooks = createRouter<Events>({ secret: SECRET });
    let meta: EventMeta<'order.paid'> | undefined;
    hooks.on('order.paid', (_data, m) => {
      meta = m;
    });
    const paid = request('order.paid', order);
    const answer = await hooks.receive(paid.body, { ...paid.headers, 'x-note': 'Zoë ✓', 'bad name': 'x' });
    assert.equal(answer.status, 200);
    assert.equal(meta?.headers.get('x-note'), Buffer.from('Zoë ✓').toString('latin1'));
    const names: string[] = [];
    meta?.headers.forEach((_value, name) => names.push(name));
    assert.ok(names.includes('x-note') && !names.some((name) => name.startsWith('bad')), names.join());
  });

  test('handler types follow the event map', () => {
    const hooks = createRouter<Events>({ secret: SECRET });
    hooks.on('order.paid', (data) => data.amount.toFixed(2));
    // @ts-expect-error: not an event of the map
    hooks.on('order.refunded', () => undefined);
    // @ts-expect-error: user.registered data has no amount
    hooks.on('user.registered', (data) => data.amount);
    assert.ok(hooks);
  });

  test('one handler per type', () => {
    const hooks = createRouter<Events>({ secret: SECRET }).on('order.paid', () => undefined);
    assert.throws(() => hooks.on('order.paid', () => undefined), /already registered/);
  });

  test('a type without a handler is acknowledged (200) unless onUnhandled takes it', async () => {
    const hooks = createRouter<Events>({ secret: SECRET });
    const plain = request('invoice.created', { n: 1 });
    const answer = await hooks.receive(plain.body, plain.headers);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ok: true, handled: false });

    const others: Array<[string, unknown]> = [];
    hooks.onUnhandled((data, meta) => {
      others.push([meta.type, data]);
    });
    assert.equal((await hooks.receive(plain.body, plain.headers)).status, 200);
    assert.deepEqual(others, [['invoice.created', { n: 1 }]]);
  });

  test('verification failures answer 400 with the code and never reach a handler', async () => {
    let calls = 0;
    const hooks = createRouter<Events>({ secret: SECRET }).on('order.paid', () => {
      calls++;
    });
    const good = request('order.paid', order);
    const stale = signWebhook(SECRET, {
      id: 'msg_old',
      timestamp: Math.floor(Date.now() / 1000) - 3600,
      body: good.body,
    });
    const untyped = '{"data":{}}';
    const failures: Array<[string, string, Record<string, string>]> = [
      ['no_matching_signature', `${good.body} `, good.headers],
      ['timestamp_too_old', good.body, stale],
      ['missing_headers', good.body, { 'webhook-id': 'msg_x' }],
      ['invalid_body', untyped, signWebhook(SECRET, { id: 'msg_u', body: untyped })],
    ];
    for (const [code, body, headers] of failures) {
      const answer = await hooks.receive(body, headers);
      assert.equal(answer.status, 400, code);
      assert.equal(JSON.parse(answer.body).error.code, code);
    }
    const wrongKey = createRouter<Events>({ secret: 'whsec_' });
    const answer = await wrongKey.receive(good.body, good.headers);
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).error.code, 'invalid_secret');
    assert.equal(calls, 0);
  });

  test('a handler that throws answers 500, reports the error, and the retry runs it again', async () => {
    const { errors, onError } = collectErrors();
    let attempts = 0;
    const hooks = createRouter<Events>({ secret: SECRET, onError }).on('order.paid', async () => {
      attempts++;
      if (attempts === 1) throw new Error('database down');
    });
    const paid = request('order.paid', order);
    const first = await hooks.receive(paid.body, paid.headers);
    assert.equal(first.status, 500);
    assert.equal(JSON.parse(first.body).error.code, 'handler_failed');
    assert.doesNotMatch(first.body, /database down/);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]!.error), /database down/);
    assert.equal(errors[0]!.meta?.id, paid.id);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 200);
    assert.equal(attempts, 2);
  });

  test('a programming error before verification answers 500 and is reported', async () => {
    const { errors, onError } = collectErrors();
    const hooks = createRouter<Events>({ secret: SECRET, onError });
    const answer = await hooks.receive({ parsed: true } as unknown as string, {});
    assert.equal(answer.status, 500);
    assert.match(String(errors[0]?.error), /raw request body/);
  });

  test('handleRequest turns a web Request into a Response', async () => {
    const hooks = createRouter<Events>({ secret: SECRET });
    const received: Order[] = [];
    hooks.on('order.paid', (data) => {
      received.push(data);
    });
    const paid = request('order.paid', order);
    const response = await hooks.handleRequest(
      new Request('http://receiver.test/webhooks', {
        method: 'POST',
        headers: paid.headers,
        body: paid.body,
      }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(received, [order]);
  });
});

describe('router: dedup', () => {
  test('a repeated webhook-id runs the handler once and answers 200 to the duplicate', async () => {
    let calls = 0;
    const hooks = createRouter<Events>({ secret: SECRET, dedup: new MemoryDedupStore() }).on(
      'order.paid',
      () => {
        calls++;
      },
    );
    const id = 'msg_same_every_retry';
    const first = request('order.paid', order, id);
    // A retry is signed again with a new timestamp but the same id.
    const retry = request('order.paid', order, id);
    assert.equal((await hooks.receive(first.body, first.headers)).status, 200);
    const second = await hooks.receive(retry.body, retry.headers);
    assert.equal(second.status, 200);
    assert.deepEqual(JSON.parse(second.body), { ok: true, duplicate: true });
    assert.equal(calls, 1);
  });

  test('a failed handler releases its claim so the retry runs', async () => {
    let calls = 0;
    const hooks = createRouter<Events>({
      secret: SECRET,
      dedup: new MemoryDedupStore(),
      onError: () => {},
    }).on('order.paid', () => {
      calls++;
      if (calls === 1) throw new Error('first try fails');
    });
    const paid = request('order.paid', order);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 500);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 200);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 200);
    assert.equal(calls, 2);
  });

  test('a retry that arrives while the first run is still working gets 409, then 200 duplicate', async () => {
    const gate = deferred();
    let calls = 0;
    const hooks = createRouter<Events>({
      secret: SECRET,
      dedup: { store: new MemoryDedupStore(), leaseSeconds: 60 },
    }).on('order.paid', async () => {
      calls++;
      await gate.promise;
    });
    const paid = request('order.paid', order);
    const slow = hooks.receive(paid.body, paid.headers);
    const concurrent = await hooks.receive(paid.body, paid.headers);
    assert.equal(concurrent.status, 409);
    assert.equal(JSON.parse(concurrent.body).error.code, 'in_progress');
    gate.resolve();
    assert.equal((await slow).status, 200);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 200);
    assert.equal(calls, 1);
  });

  test('the dedup ttl and lease reach the store', async () => {
    const calls: string[] = [];
    const store: DedupStore = {
      claim: async (id, ttl) => {
        calls.push(`claim ${id} ${ttl}`);
        return 'new';
      },
      complete: async (id, ttl) => {
        calls.push(`complete ${id} ${ttl}`);
      },
      release: async (id) => {
        calls.push(`release ${id}`);
      },
    };
    const hooks = createRouter<Events>({
      secret: SECRET,
      dedup: { store, leaseSeconds: 30, ttlSeconds: 7200 },
    });
    hooks.on('order.paid', () => undefined);
    const paid = request('order.paid', order, 'msg_ttl');
    await hooks.receive(paid.body, paid.headers);
    assert.deepEqual(calls, ['claim msg_ttl 30', 'complete msg_ttl 7200']);
  });

  test('a failing dedup store: claim → 500 (retry later); complete → still 200; both reported', async () => {
    const { errors, onError } = collectErrors();
    let calls = 0;
    const broken = (failing: 'claim' | 'complete'): DedupStore => ({
      claim: async () => {
        if (failing === 'claim') throw new Error('store down');
        return 'new';
      },
      complete: async () => {
        throw new Error('complete failed');
      },
      release: async () => {},
    });
    const paid = request('order.paid', order);
    const claimFails = createRouter<Events>({ secret: SECRET, dedup: broken('claim'), onError });
    claimFails.on('order.paid', () => {
      calls++;
    });
    const answer = await claimFails.receive(paid.body, paid.headers);
    assert.equal(answer.status, 500);
    assert.equal(JSON.parse(answer.body).error.code, 'dedup_unavailable');
    assert.equal(calls, 0);
    const completeFails = createRouter<Events>({ secret: SECRET, dedup: broken('complete'), onError });
    completeFails.on('order.paid', () => {
      calls++;
    });
    assert.equal((await completeFails.receive(paid.body, paid.headers)).status, 200);
    assert.equal(calls, 1);
    assert.deepEqual(
      errors.map(({ error }) => (error as Error).message),
      ['store down', 'complete failed'],
    );
  });
});

describe('router: ackFirst', () => {
  test('answers 202 before the handler finishes; idle() waits for it; duplicates stay deduped', async () => {
    const gate = deferred();
    const done: string[] = [];
    const hooks = createRouter<Events>({ secret: SECRET, ackFirst: true, dedup: new MemoryDedupStore() });
    hooks.on('user.registered', async (data) => {
      await gate.promise;
      done.push(data.userId);
    });
    const registered = request('user.registered', user);
    const scheduled: Promise<unknown>[] = [];
    const answer = await hooks.receive(registered.body, registered.headers, {
      waitUntil: (work) => scheduled.push(work),
    });
    assert.equal(answer.status, 202);
    assert.deepEqual(JSON.parse(answer.body), { ok: true, queued: true });
    assert.deepEqual(done, []);
    assert.equal(scheduled.length, 1);
    assert.equal((await hooks.receive(registered.body, registered.headers)).status, 409);
    gate.resolve();
    await hooks.idle();
    assert.deepEqual(done, ['usr_1']);
    assert.equal((await hooks.receive(registered.body, registered.headers)).status, 200);
  });

  test('a failing background handler is reported and releases its claim', async () => {
    const { errors, onError } = collectErrors();
    let calls = 0;
    const hooks = createRouter<Events>({
      secret: SECRET,
      ackFirst: true,
      dedup: new MemoryDedupStore(),
      onError,
    });
    hooks.on('order.paid', async () => {
      calls++;
      if (calls === 1) throw new Error('background failure');
    });
    const paid = request('order.paid', order);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 202);
    await hooks.idle();
    assert.match(String(errors[0]?.error), /background failure/);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 202);
    await hooks.idle();
    assert.equal(calls, 2);
    assert.equal((await hooks.receive(paid.body, paid.headers)).status, 200);
  });

  test('verification failures are still 400 immediately', async () => {
    const hooks = createRouter<Events>({ secret: SECRET, ackFirst: true }).on('order.paid', () => undefined);
    const paid = request('order.paid', order);
    assert.equal((await hooks.receive(`${paid.body} `, paid.headers)).status, 400);
  });
});
