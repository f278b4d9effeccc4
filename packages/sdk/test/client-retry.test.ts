import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_RETRY,
  Hookline,
  HooklineApiError,
  type HooklineOptions,
  HooklineNetworkError,
  retryDelayMs,
} from '../src/client/index.js';
import { parseRetryAfter } from '../src/client/retry.js';
import {
  connectionRefused,
  connectionReset,
  json,
  problem,
  recordingSleep,
  scriptedFetch,
  type Step,
} from './client-helpers.js';

const APP = { id: 'app_1', name: 'acme', uid: null, createdAt: 'x', updatedAt: 'x' };
const ACCEPTED = {
  id: 'msg_1',
  eventType: 'order.paid',
  eventId: 'e1',
  timestamp: '2026-11-23T10:00:00.000Z',
};

/** A client over a scripted fetch, with recorded (instant) sleeps and fixed jitter. */
function client(steps: Step[], options: Partial<HooklineOptions> = {}) {
  const { fetch, sent } = scriptedFetch(...steps);
  const { sleep, delays } = recordingSleep();
  const hookline = new Hookline({
    baseUrl: 'http://hookline.test',
    token: 'tok',
    fetch,
    sleep,
    random: () => 0.5,
    ...options,
  });
  return { hookline, sent, delays };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('retryDelayMs (the one backoff function)', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000, maxRetries: 6 };

  test('doubles per retry, with jitter over the upper half, capped at maxDelayMs', () => {
    const low = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, null, policy, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, null, policy, () => 1));
    assert.deepEqual(low, [50, 100, 200, 400, 500]);
    assert.deepEqual(high, [100, 200, 400, 800, 1000]);
  });

  test('takes Retry-After exactly (no jitter) up to maxRetryAfterMs, gives up beyond it', () => {
    assert.equal(
      retryDelayMs(1, 7000, policy, () => 0.3),
      7000,
    );
    assert.equal(
      retryDelayMs(1, 0, policy, () => 0.3),
      0,
    );
    assert.equal(
      retryDelayMs(1, policy.maxRetryAfterMs + 1, policy, () => 0.3),
      null,
    );
  });

  test('gives up after maxRetries', () => {
    assert.notEqual(retryDelayMs(6, null, policy, Math.random), null);
    assert.equal(retryDelayMs(7, null, policy, Math.random), null);
  });

  test('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter(null, now), null);
  });
});

describe('client retries', () => {
  for (const status of [429, 502, 503, 504]) {
    test(`retries a GET answered ${status}, then returns the answer`, async () => {
      const { hookline, sent, delays } = client([problem(status, 'busy'), json(200, APP)]);
      assert.deepEqual(await hookline.apps.get('app_1'), APP);
      assert.equal(sent.length, 2);
      assert.deepEqual(delays, [375]); // 500 ms base: 250 + 0.5 × 250
    });
  }

  test("a call's retry options change only the fields they name", async () => {
    const { hookline, sent, delays } = client([problem(503, 'store_unavailable')], {
      retry: { maxRetries: 5, baseDelayMs: 100 },
    });
    const error = await rejection(hookline.apps.get('app_1', { retry: { maxRetries: 2 } }));
    assert.ok(error instanceof HooklineApiError);
    assert.equal(sent.length, 3);
    assert.deepEqual(delays, [75, 150], "the client's 100 ms base stays");
  });

  test('backs off exponentially and gives up after maxRetries with the last error', async () => {
    const { hookline, sent, delays } = client([problem(503, 'store_unavailable')], {
      retry: { maxRetries: 3, baseDelayMs: 100 },
    });
    const error = await rejection(hookline.apps.get('app_1'));
    assert.ok(error instanceof HooklineApiError);
    assert.equal(error.code, 'store_unavailable');
    assert.equal(error.attempts, 4);
    assert.equal(sent.length, 4);
    assert.deepEqual(delays, [75, 150, 300]);
  });

  test('waits exactly what Retry-After asks (seconds or HTTP-date), without jitter', async () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const { hookline, delays } = client(
      [
        problem(429, 'rate_limited', 'slow down', { 'retry-after': '2' }),
        problem(503, 'store_unavailable', 'later', { 'retry-after': 'Mon, 23 Nov 2026 10:00:04 GMT' }),
        json(200, APP),
      ],
      { now: () => now },
    );
    await hookline.apps.get('app_1');
    assert.deepEqual(delays, [2000, 4000]);
  });

  test('does not wait for a Retry-After beyond maxRetryAfterMs: the 429 is thrown at once', async () => {
    const { hookline, sent, delays } = client([
      problem(429, 'rate_limited', 'slow down', { 'retry-after': '3600' }),
      json(200, APP),
    ]);
    const error = await rejection(hookline.apps.get('app_1'));
    assert.ok(error instanceof HooklineApiError && error.status === 429);
    assert.equal(sent.length, 1);
    assert.deepEqual(delays, []);
  });

  for (const [status, code] of [
    [400, 'validation_failed'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'app_not_found'],
    [409, 'uid_conflict'],
    [413, 'payload_too_large'],
    [422, 'endpoint_url_refused'],
    [500, 'internal_error'],
  ] as const) {
    test(`never retries ${status}: throws HooklineApiError ${code} after one request`, async () => {
      const { hookline, sent } = client([problem(status, code, `because ${code}`), json(200, APP)]);
      const error = await rejection(hookline.apps.get('app_1'));
      assert.ok(error instanceof HooklineApiError);
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      assert.equal(error.title, `title of ${code}`);
      assert.equal(error.detail, `because ${code}`);
      assert.equal(error.problem?.code, code);
      assert.equal(error.method, 'GET');
      assert.equal(error.url, 'http://hookline.test/v1/apps/app_1');
      assert.match(error.message, new RegExp(`GET http://hookline.test/v1/apps/app_1: ${status} ${code}`));
      assert.equal(sent.length, 1);
    });
  }

  test('retries network errors of idempotent calls, then throws HooklineNetworkError', async () => {
    const { hookline, sent } = client([connectionReset()], { retry: { maxRetries: 2 } });
    const error = await rejection(hookline.endpoints.delete('app_1', 'ep_1'));
    assert.ok(error instanceof HooklineNetworkError);
    assert.equal(error.timedOut, false);
    assert.equal(error.attempts, 3);
    assert.match(
      error.message,
      /DELETE .*\/v1\/apps\/app_1\/endpoints\/ep_1: fetch failed \(other side closed\)/,
    );
    assert.ok(error.cause instanceof TypeError);
    assert.equal(sent.length, 3);
  });

  test('a write that is not idempotent is retried only when the server surely did not act on it', async () => {
    // 503/429: refused before acting → retried.
    let run = client([problem(503, 'store_unavailable'), json(201, APP)]);
    assert.deepEqual(await run.hookline.apps.create({ name: 'acme' }), APP);
    assert.equal(run.sent.length, 2);
    // Connection refused: the request never left → retried.
    run = client([connectionRefused(), json(201, APP)]);
    assert.deepEqual(await run.hookline.apps.create({ name: 'acme' }), APP);
    assert.equal(run.sent.length, 2);
    // 502/504 or a cut connection may come after the app was created → thrown, not sent twice.
    for (const step of [problem(502, 'bad_gateway'), problem(504, 'gateway_timeout'), connectionReset()]) {
      run = client([step, json(201, APP)]);
      await rejection(run.hookline.apps.create({ name: 'acme' }));
      assert.equal(run.sent.length, 1);
    }
  });

  test('messages.send generates one eventId and keeps it across retries, so a retry is one message', async () => {
    const { hookline, sent } = client([
      connectionReset(),
      problem(504, 'gateway_timeout'),
      json(202, ACCEPTED),
    ]);
    await hookline.messages.send('app_1', { eventType: 'order.paid', payload: { n: 1 } });
    assert.equal(sent.length, 3);
    const ids = sent.map((r) => (r.body as { eventId: string }).eventId);
    assert.match(ids[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(new Set(ids).size, 1);

    const again = client([json(202, ACCEPTED)]);
    await again.hookline.messages.send('app_1', { eventType: 'order.paid', payload: { n: 2 } });
    assert.notEqual((again.sent[0]!.body as { eventId: string }).eventId, ids[0], 'a fresh id per send');
  });

  test("messages.send keeps the caller's eventId", async () => {
    const { hookline, sent } = client([json(202, ACCEPTED)]);
    await hookline.messages.send('app_1', { eventType: 'order.paid', payload: {}, eventId: 'order-1001' });
    assert.deepEqual(sent[0]!.body, { eventType: 'order.paid', payload: {}, eventId: 'order-1001' });
  });

  test('retry: false (client-wide or per call) sends once', async () => {
    let run = client([problem(503, 'store_unavailable'), json(200, APP)], { retry: false });
    await rejection(run.hookline.apps.get('app_1'));
    assert.equal(run.sent.length, 1);
    run = client([problem(503, 'store_unavailable'), json(200, APP)]);
    await rejection(run.hookline.apps.get('app_1', { retry: false }));
    assert.equal(run.sent.length, 1);
  });

  test('a request with no answer within timeoutMs is a HooklineNetworkError with timedOut', async () => {
    const hang: Step = (_request, signal) =>
      new Promise<Response>((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason)),
      );
    const { hookline, sent } = client([hang, json(200, APP)], { timeoutMs: 20 });
    assert.deepEqual(await hookline.apps.get('app_1'), APP, 'the timed-out GET is retried');
    assert.equal(sent.length, 2);

    const once = client([hang], { timeoutMs: 20, retry: false });
    const error = await rejection(once.hookline.apps.get('app_1'));
    assert.ok(error instanceof HooklineNetworkError);
    assert.equal(error.timedOut, true);
    assert.match(error.message, /no answer within 20 ms/);
  });

  test("the caller's abort signal stops the call, also while it waits to retry", async () => {
    const controller = new AbortController();
    const { fetch, sent } = scriptedFetch(problem(503, 'store_unavailable'), json(200, APP));
    const hookline = new Hookline({
      baseUrl: 'http://hookline.test',
      fetch,
      sleep: async () => controller.abort(new Error('caller gave up')),
    });
    const error = await rejection(hookline.apps.get('app_1', { signal: controller.signal }));
    assert.equal((error as Error).message, 'caller gave up');
    assert.equal(sent.length, 1);

    const aborted = AbortSignal.abort(new Error('already aborted'));
    const second = client([json(200, APP)]);
    const early = await rejection(second.hookline.apps.get('app_1', { signal: aborted }));
    assert.equal((early as Error).message, 'already aborted');
  });

  test('an answer that is not problem+json is an http_error; a 2xx that is not JSON an invalid_response', async () => {
    const html = new Response('<html>Bad Gateway</html>', {
      status: 502,
      headers: { 'content-type': 'text/html' },
    });
    let run = client([html], { retry: false });
    const gateway = await rejection(run.hookline.apps.get('app_1'));
    assert.ok(gateway instanceof HooklineApiError);
    assert.equal(gateway.code, 'http_error');
    assert.equal(gateway.status, 502);
    assert.equal(gateway.detail, '<html>Bad Gateway</html>');
    assert.equal(gateway.problem, null);

    run = client([new Response('not json', { status: 200 })]);
    const invalid = await rejection(run.hookline.apps.get('app_1'));
    assert.ok(invalid instanceof HooklineApiError);
    assert.equal(invalid.code, 'invalid_response');
  });

  test('rejects bad retry options and a baseUrl that is not http(s)', () => {
    assert.throws(() => new Hookline({ baseUrl: '127.0.0.1:8080' }), /baseUrl must be an http/);
    const { hookline } = client([json(200, APP)], { retry: { maxRetries: -1 } });
    return assert.rejects(hookline.apps.get('app_1'), /retry.maxRetries must be a finite number/);
  });
});
