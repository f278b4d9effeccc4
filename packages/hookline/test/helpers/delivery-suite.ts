import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { RawServeOptions } from '../../src/config/config.js';
import type { TestBackend } from './backend.js';
import { TestHookline } from './hookline.js';
import { Receiver } from './receiver.js';
import { waitFor } from './wait.js';

/**
 * Delivery end to end, the same for every backend: a real server on a fresh database of `backend`,
 * a real receiver. One server and one receiver per suite; each test uses its own app, endpoint path
 * and messages.
 */
export function deliverySuite(backend: TestBackend): void {
  let hl: TestHookline;
  let rx: Receiver;
  const start = (flags: RawServeOptions) => TestHookline.start(flags, {}, backend);
  const replies = new Map<
    string,
    (seen: number) => { status: number; headers?: Record<string, string>; body?: string }
  >();

  describe(`delivery end to end on ${backend.name}`, { skip: backend.skip }, () => {
    before(async () => {
      rx = await Receiver.start();
      rx.reply = (req, seen) => replies.get(req.path)?.(seen) ?? { status: 200, body: 'ok' };
      hl = await start({ retrySchedule: '100ms,200ms,300ms', requestTimeout: '2s' });
    });
    after(async () => {
      await hl?.stop();
      await rx?.close();
    });

    it('signs every delivery per Standard Webhooks in the {type,timestamp,data} envelope', async () => {
      const app = await hl.app('signing');
      const ep = await hl.endpoint(app, { url: `${rx.url}/signed` });
      const sent = await hl.send(app, { eventType: 'order.paid', payload: { orderId: 'o_1', amount: 4200 } });
      assert.equal(sent.status, 202);
      assert.match(sent.body.id, /^msg_[^.]+$/);
      assert.equal(sent.body.eventId, null);
      assert.match(sent.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const [req] = await waitFor(() => (rx.on('/signed').length ? rx.on('/signed') : null), 'the delivery');
      const verified = new Webhook(ep.secret).verify(req!.body, req!.headers as Record<string, string>);
      assert.deepEqual(verified, {
        type: 'order.paid',
        timestamp: sent.body.timestamp,
        data: { orderId: 'o_1', amount: 4200 },
      });
      assert.equal(req!.headers['webhook-id'], sent.body.id);
      assert.equal(req!.headers['content-type'], 'application/json');
      assert.match(String(req!.headers['user-agent']), /^hookline\/\d+\.\d+\.\d+/);
      assert.ok(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000) < 60);

      const attempts = await waitFor(async () => {
        const list = await hl.attempts(app, sent.body.id);
        return list.length === 1 ? list : null;
      }, 'the attempt record');
      assert.equal(attempts[0].status, 'succeeded');
      assert.equal(attempts[0].responseStatusCode, 200);
      assert.equal(attempts[0].responseBody, 'ok');
      assert.equal(attempts[0].attemptNumber, 1);
      assert.equal(attempts[0].endpointId, ep.id);
      assert.match(attempts[0].id, /^atmpt_/);

      const message = await hl.call('GET', `/v1/apps/${app}/messages/${sent.body.id}`);
      assert.equal(message.status, 200);
      assert.deepEqual(message.body.payload, { orderId: 'o_1', amount: 4200 });
    });

    it('delivers and returns the payload exactly as sent, even what a JavaScript value cannot hold', async () => {
      const app = await hl.app('payload-bytes');
      await hl.endpoint(app, { url: `${rx.url}/bytes` });
      // A `__proto__` key, integers past 2^53, a number past a double's range, a trailing zero, escapes,
      // and whitespace (which is dropped outside strings).
      const body =
        '{"eventType":"raw.bytes", "payload": { "__proto__": {"x": 1}, "id": 12345678901234567890123,' +
        ' "huge": 1e400, "price": 1.50, "note": "caf\\u00e9 \\"q\\"", "list": [ 1, 2 ] }}';
      const exact =
        '{"__proto__":{"x":1},"id":12345678901234567890123,"huge":1e400,"price":1.50,"note":"caf\\u00e9 \\"q\\"","list":[1,2]}';
      const sent = await hl.call('POST', `/v1/apps/${app}/messages`, body);
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const [req] = await waitFor(() => (rx.on('/bytes').length ? rx.on('/bytes') : null), 'the delivery');
      assert.equal(req!.body, `{"type":"raw.bytes","timestamp":"${sent.body.timestamp}","data":${exact}}`);
      const got = await fetch(`${hl.url}/v1/apps/${app}/messages/${sent.body.id}`, {
        headers: { authorization: `Bearer ${hl.server.adminToken}` },
      });
      assert.equal(got.headers.get('content-type'), 'application/json');
      assert.ok((await got.text()).endsWith(`"payload":${exact}}`));
    });

    it('delivers only to endpoints whose filter matches, never to disabled ones', async () => {
      const app = await hl.app('filters');
      await hl.endpoint(app, { url: `${rx.url}/f-paid`, eventTypes: ['order.paid'] });
      await hl.endpoint(app, { url: `${rx.url}/f-all` });
      await hl.endpoint(app, { url: `${rx.url}/f-user`, eventTypes: ['user.registered'] });
      await hl.endpoint(app, { url: `${rx.url}/f-off`, disabled: true });
      await hl.send(app, { eventType: 'order.paid', payload: { n: 1 } });
      await hl.send(app, { eventType: 'user.registered', payload: { n: 2 } });
      await waitFor(
        () => rx.on('/f-all').length === 2 && rx.on('/f-paid').length === 1 && rx.on('/f-user').length === 1,
        'filtered deliveries',
      );
      assert.equal(JSON.parse(rx.on('/f-paid')[0]!.body).type, 'order.paid');
      assert.equal(JSON.parse(rx.on('/f-user')[0]!.body).type, 'user.registered');
      assert.equal(rx.on('/f-off').length, 0);
    });

    it("holds an endpoint to its rateLimit without slowing the app's other endpoints", async () => {
      const app = await hl.app('rate-limited');
      await hl.endpoint(app, { url: `${rx.url}/rl-limited`, rateLimit: 5 });
      await hl.endpoint(app, { url: `${rx.url}/rl-free` });
      const sent: string[] = [];
      for (let i = 0; i < 15; i++) {
        const res = await hl.send(app, { eventType: 'order.paid', payload: { i } });
        assert.equal(res.status, 202);
        sent.push(res.body.id);
      }
      // 5 at once (a full bucket), then 5 per second: some wait in the dispatcher, the rest in the store.
      const limited = await waitFor(
        () => (rx.on('/rl-limited').length === 15 ? rx.on('/rl-limited') : null),
        'every rate-limited delivery',
        15_000,
      );
      const free = rx.on('/rl-free');
      assert.equal(free.length, 15);
      const at = limited.map((r) => r.at);
      // At most 5 + 5 in any second, so any 11 in a row span a second (less the receiver's clock jitter).
      for (let i = 0; i + 10 < at.length; i++) assert.ok(at[i + 10]! - at[i]! >= 900, `deliveries ${i}..${i + 10}`);
      assert.ok(Math.max(...free.map((r) => r.at)) < at[10]!, 'the unlimited endpoint was not held up');
      assert.deepEqual(
        new Set(limited.map((r) => r.headers['webhook-id'])),
        new Set(sent),
        'each message exactly once',
      );
      // Waiting (here or in the store) is never an attempt: one succeeded attempt per delivery.
      const last = await waitFor(async () => {
        const list = await hl.attempts(app, sent[14]!);
        return list.length === 2 ? list : null;
      }, "the last message's attempts");
      assert.deepEqual(last.map((a) => a.status), ['succeeded', 'succeeded']);
    });

    it('sends what waits for a changed endpoint as it now is: a new URL, and nothing once disabled', async () => {
      const app = await hl.app('changed-endpoint');
      const ep = await hl.endpoint(app, { url: `${rx.url}/changed-old`, rateLimit: 2 });
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) sent.push((await hl.send(app, { eventType: 'a.b', payload: { i } })).body.id);
      // Two go at once (a second's worth); two wait in the dispatcher for tokens, half a second apart.
      await waitFor(() => rx.on('/changed-old').length === 2, 'the first second\'s worth');
      const moved = await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { url: `${rx.url}/changed-new` });
      assert.equal(moved.status, 200);
      await waitFor(() => rx.on('/changed-new').length === 4, 'the rest, at the new URL', 10_000);
      assert.equal(rx.on('/changed-old').length, 2, 'nothing held went to the old URL');
      const ids = [...rx.on('/changed-old'), ...rx.on('/changed-new')].map((r) => r.headers['webhook-id']);
      assert.deepEqual(new Set(ids), new Set(sent), 'each message once');

      for (let i = 0; i < 4; i++) await hl.send(app, { eventType: 'a.b', payload: { i } });
      await waitFor(() => rx.on('/changed-new').length >= 5, 'the next one');
      const off = await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: true });
      assert.equal(off.status, 200);
      const atDisable = rx.on('/changed-new').length;
      const back = await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: false });
      assert.equal(back.status, 200);
      await waitFor(() => rx.on('/changed-new').length === 8, 'the held ones, once re-enabled', 10_000);
      assert.ok(atDisable < 8, 'some were still held when it was disabled');
    });

    it('creates one message and one set of deliveries for a repeated eventId', async () => {
      const app = await hl.app('idempotent');
      await hl.endpoint(app, { url: `${rx.url}/idem` });
      const first = await hl.send(app, { eventType: 'order.paid', payload: { n: 1 }, eventId: 'evt-42' });
      const second = await hl.send(app, { eventType: 'order.paid', payload: { n: 2 }, eventId: 'evt-42' });
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      assert.deepEqual(second.body, first.body);
      await waitFor(() => rx.on('/idem').length === 1, 'one delivery');
      const stats = await waitFor(async () => {
        const s = (await hl.call('GET', `/v1/apps/${app}/stats`)).body;
        return s.succeeded === 1 ? s : null;
      }, 'stats');
      assert.equal(stats.count, 1);
    });

    it('retries a failing receiver on the schedule until it succeeds, keeping the webhook-id', async () => {
      const app = await hl.app('retries');
      await hl.endpoint(app, { url: `${rx.url}/flaky` });
      replies.set('/flaky', (seen) => (seen < 2 ? { status: 500, body: 'boom' } : { status: 204 }));
      const sent = await hl.send(app, { eventType: 'a.b', payload: {} });
      await waitFor(() => rx.on('/flaky').length === 3, 'three attempts');
      const reqs = rx.on('/flaky');
      assert.ok(reqs.every((r) => r.headers['webhook-id'] === sent.body.id));
      assert.ok(
        reqs.every((r) => r.body === reqs[0]!.body),
        'every retry sends the same bytes',
      );
      // First retry after 100 ms ± 20 %, second after 200 ms ± 20 %.
      assert.ok(reqs[1]!.at - reqs[0]!.at >= 75, `first gap ${reqs[1]!.at - reqs[0]!.at}`);
      assert.ok(reqs[2]!.at - reqs[1]!.at >= 155, `second gap ${reqs[2]!.at - reqs[1]!.at}`);
      const attempts = await waitFor(async () => {
        const list = await hl.attempts(app, sent.body.id);
        return list.length === 3 ? list : null;
      }, 'three attempt records');
      assert.deepEqual(
        attempts.map((a) => [a.attemptNumber, a.status, a.responseStatusCode]),
        [
          [3, 'succeeded', 204],
          [2, 'failed', 500],
          [1, 'failed', 500],
        ],
      );
      assert.equal(attempts[2].responseBody, 'boom');
    });

    it("retries each of a message's endpoints on its own schedule, however many wait at once", async () => {
      const app = await hl.app('retries-fan-out');
      const paths = ['/fan0', '/fan1', '/fan2', '/fan3'];
      for (const path of paths) {
        await hl.endpoint(app, { url: `${rx.url}${path}` });
        replies.set(path, (seen) => (seen === 0 ? { status: 500 } : { status: 200 }));
      }
      await hl.send(app, { eventType: 'a.b', payload: {} });
      await waitFor(() => paths.every((p) => rx.on(p).length === 2), 'a retry to each endpoint');
      // Due 100 ms ± 20 % after each first attempt. Only the earliest was remembered before, and the others
      // waited for the next look at the queue (up to 5 s on SQLite, 1 s on PostgreSQL).
      for (const path of paths) {
        const [first, retry] = rx.on(path);
        assert.ok(retry!.at - first!.at < 900, `${path}: retried after ${retry!.at - first!.at} ms`);
      }
    });

    it('gives up after the last scheduled retry and counts the delivery failed', async () => {
      const app = await hl.app('exhausted');
      await hl.endpoint(app, { url: `${rx.url}/down` });
      replies.set('/down', () => ({ status: 503 }));
      const sent = await hl.send(app, { eventType: 'a.b', payload: {} });
      await waitFor(() => rx.on('/down').length === 4, 'four attempts (1 + 3 retries)');
      const stats = await waitFor(async () => {
        const s = (await hl.call('GET', `/v1/apps/${app}/stats`)).body;
        return s.failed === 1 ? s : null;
      }, 'the delivery to be given up');
      assert.deepEqual(
        { count: stats.count, succeeded: stats.succeeded, pending: stats.pending, rate: stats.successRate },
        {
          count: 1,
          succeeded: 0,
          pending: 0,
          rate: 0,
        },
      );
      assert.equal((await hl.attempts(app, sent.body.id)).length, 4);
    });

    it('honours Retry-After on 429, clamped to twice the scheduled delay', async () => {
      const app = await hl.app('retry-after');
      await hl.endpoint(app, { url: `${rx.url}/busy` });
      replies.set('/busy', (seen) =>
        seen === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
      );
      await hl.send(app, { eventType: 'a.b', payload: {} });
      await waitFor(() => rx.on('/busy').length === 2, 'the retry');
      const [a, b] = rx.on('/busy');
      // Scheduled 100 ms, Retry-After 1 s → clamped to 200 ms, without jitter.
      assert.ok(b!.at - a!.at >= 190, `gap ${b!.at - a!.at} ms`);
    });

    it('treats 3xx as a failure and never follows the redirect', async () => {
      const app = await hl.app('redirect');
      await hl.endpoint(app, { url: `${rx.url}/moved` });
      replies.set('/moved', () => ({ status: 302, headers: { location: `${rx.url}/target` } }));
      const sent = await hl.send(app, { eventType: 'a.b', payload: {} });
      const attempts = await waitFor(async () => {
        const list = await hl.attempts(app, sent.body.id);
        return list.length >= 1 ? list : null;
      }, 'the attempt');
      assert.equal(attempts.at(-1).status, 'failed');
      assert.equal(attempts.at(-1).responseStatusCode, 302);
      assert.equal(rx.on('/target').length, 0);
    });

    it('disables the endpoint on 410 Gone; its other deliveries wait and go out once re-enabled', async () => {
      const app = await hl.app('gone');
      const ep = await hl.endpoint(app, { url: `${rx.url}/gone` });
      let gone = true;
      replies.set('/gone', () => (gone ? { status: 410 } : { status: 200 }));
      const first = await hl.send(app, { eventType: 'a.b', payload: { n: 1 } });
      await waitFor(
        async () => (await hl.call('GET', `/v1/apps/${app}/endpoints/${ep.id}`)).body.disabled === true,
        'the endpoint to be disabled',
      );
      const attempts = await hl.attempts(app, first.body.id);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0].status, 'failed');
      assert.equal(attempts[0].responseStatusCode, 410);

      // A message sent while the endpoint is disabled is not delivered to it.
      const during = await hl.send(app, { eventType: 'a.b', payload: { n: 2 } });
      assert.equal(during.status, 202);
      gone = false;
      const reenabled = await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: false });
      assert.equal(reenabled.body.disabled, false);
      const third = await hl.send(app, { eventType: 'a.b', payload: { n: 3 } });
      await waitFor(
        () => rx.on('/gone').some((r) => r.headers['webhook-id'] === third.body.id),
        'delivery after re-enabling',
      );
      assert.equal(
        rx.on('/gone').filter((r) => r.headers['webhook-id'] === first.body.id).length,
        1,
        'the 410 delivery is not retried',
      );
      assert.ok(!rx.on('/gone').some((r) => r.headers['webhook-id'] === during.body.id));
    });

    it('auto-disables an endpoint that keeps failing past the window', async () => {
      const quick = await start({ retrySchedule: '50ms,50ms', autoDisableAfter: '100ms' });
      try {
        const app = await quick.app('auto');
        const ep = await quick.endpoint(app, { url: `${rx.url}/always-down` });
        replies.set('/always-down', () => ({ status: 500 }));
        await quick.send(app, { eventType: 'a.b', payload: {} });
        await quick.send(app, { eventType: 'a.b', payload: {} });
        await waitFor(
          async () => (await quick.call('GET', `/v1/apps/${app}/endpoints/${ep.id}`)).body.disabled,
          'auto-disable',
        );
      } finally {
        await quick.stop();
      }
    });

    it('records a timeout, a refused connection and a DNS failure as failed attempts', async () => {
      const quick = await start({ retrySchedule: '1h', requestTimeout: '200ms' });
      try {
        const app = await quick.app('transport');
        await quick.endpoint(app, { url: `${rx.url}/slow` });
        replies.set('/slow', () => ({ status: 200, delayMs: 1000 }));
        const slow = await quick.send(app, { eventType: 'a.b', payload: {} });
        const attempt = await waitFor(
          async () => (await quick.attempts(app, slow.body.id))[0],
          'timeout attempt',
        );
        assert.equal(attempt.status, 'failed');
        assert.equal(attempt.responseStatusCode, null);
        assert.equal(attempt.error, 'timeout');

        const closed = await start({ retrySchedule: '1h' });
        const port = new URL(closed.url).port;
        await closed.stop();
        // A long timeout here: a resolver slow to say NXDOMAIN on a busy machine must not turn the DNS
        // failure into a timeout.
        const patient = await start({ retrySchedule: '1h', requestTimeout: '30s' });
        try {
          const app2 = await patient.app('refused');
          await patient.endpoint(app2, { url: `http://127.0.0.1:${port}/nobody` });
          await patient.endpoint(app2, { url: 'http://does-not-exist.invalid/x' });
          const refused = await patient.send(app2, { eventType: 'a.b', payload: {} });
          const both = await waitFor(async () => {
            const list = await patient.attempts(app2, refused.body.id);
            return list.length === 2 ? list : null;
          }, 'refused and dns attempts', 40_000);
          assert.ok(both.every((a) => a.status === 'failed' && a.responseStatusCode === null && a.error));
          assert.ok(
            both.some((a) => /ECONNREFUSED/.test(a.error)),
            JSON.stringify(both),
          );
          assert.ok(
            both.some((a) => /dns|ENOTFOUND|EAI_AGAIN/.test(a.error)),
            JSON.stringify(both),
          );
        } finally {
          await patient.stop();
        }
      } finally {
        await quick.stop();
      }
    });

    it('reports Count, Success rate and Delay through /v1/stats and /metrics', async () => {
      const app = await hl.app('stats');
      await hl.endpoint(app, { url: `${rx.url}/stats-ok` });
      for (let i = 0; i < 5; i++) await hl.send(app, { eventType: 'a.b', payload: { i } });
      const stats = await waitFor(async () => {
        const s = (await hl.call('GET', `/v1/apps/${app}/stats`)).body;
        return s.succeeded === 5 ? s : null;
      }, 'five successes');
      assert.equal(stats.count, 5);
      assert.equal(stats.failed, 0);
      assert.equal(stats.pending, 0);
      assert.equal(stats.successRate, 1);
      assert.ok(
        stats.delayMs.p50 >= 0 &&
          stats.delayMs.p50 <= stats.delayMs.p95 &&
          stats.delayMs.p95 <= stats.delayMs.p99,
      );
      assert.ok(stats.delayMs.p99 < 5000, `p99 ${stats.delayMs.p99}`);

      const future = await hl.call(
        'GET',
        `/v1/apps/${app}/stats?since=${new Date(Date.now() + 120_000).toISOString()}`,
      );
      assert.equal(future.body.count, 0);
      assert.equal(future.body.successRate, null);
      const global = (await hl.call('GET', '/v1/stats')).body;
      assert.ok(global.count >= 5);

      const metrics = await hl.call('GET', '/metrics', undefined, null);
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /hookline_deliveries_total\{outcome="succeeded"\} \d+/);
      assert.match(metrics.body, /hookline_attempts_total\{outcome="success"\} \d+/);
      assert.match(metrics.body, /hookline_delivery_delay_seconds_bucket/);
      assert.match(metrics.body, /hookline_attempt_duration_seconds_bucket/);
      assert.match(metrics.body, /hookline_queue_depth \d+/);
      const health = await hl.call('GET', '/healthz', undefined, null);
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
    });

    it('refuses endpoints on private addresses unless --allow-private-network', async () => {
      const strict = await start({ allowPrivateNetwork: false });
      try {
        const app = await strict.app('policy');
        for (const url of [
          'http://127.0.0.1:9/x',
          'http://[::1]/x',
          'http://10.1.2.3/',
          'http://localhost:8080/',
          'http://[::ffff:192.168.0.1]/',
          'http://169.254.169.254/latest',
        ]) {
          const res = await strict.call('POST', `/v1/apps/${app}/endpoints`, { url });
          assert.equal(res.status, 422, url);
          assert.equal(res.body.code, 'endpoint_url_refused');
        }
        const ok = await strict.call('POST', `/v1/apps/${app}/endpoints`, { url: 'https://example.com/hook' });
        assert.equal(ok.status, 201);
        const patch = await strict.call('PATCH', `/v1/apps/${app}/endpoints/${ok.body.id}`, {
          url: 'http://192.168.1.1/',
        });
        assert.equal(patch.status, 422);
      } finally {
        await strict.stop();
      }
    });
  });
}
