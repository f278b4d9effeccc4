import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HooklineProcess } from './helpers/child.js';
import { createTestDatabase, skipWithoutPg, type TestDatabase } from './helpers/postgres.js';
import { type Received, Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

const TOKEN = 'processes-test-admin-token';

/** Several `hookline serve` processes on one PostgreSQL database, as separate OS processes. */
describe('several processes on one PostgreSQL database', { skip: skipWithoutPg }, () => {
  let rx: Receiver;
  const databases: TestDatabase[] = [];
  const processes: HooklineProcess[] = [];

  before(async () => {
    rx = await Receiver.start();
  });
  after(async () => {
    for (const p of processes) await p.stop();
    for (const db of databases) await db.drop();
    await rx?.close();
  });

  async function start(db: TestDatabase, role: 'all' | 'api' | 'worker', extra: string[] = []) {
    const child = new HooklineProcess(
      ['serve', '--port', '0', '--db', db.url, '--allow-private-network', '--role', role, ...extra],
      { HOOKLINE_ADMIN_TOKEN: TOKEN },
    );
    processes.push(child);
    return { child, url: await child.listening() };
  }

  async function call(url: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  }

  async function newDatabase(): Promise<TestDatabase> {
    const db = await createTestDatabase('hookline_procs');
    databases.push(db);
    return db;
  }

  /** Send `count` messages, `concurrency` at a time, each to the next URL in turn (a load balancer). */
  async function sendAll(urls: string[], appId: string, count: number, concurrency = 8): Promise<string[]> {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const n = next++;
          const res = await call(urls[n % urls.length]!, 'POST', `/v1/apps/${appId}/messages`, {
            eventType: 'load.test',
            payload: { n },
          });
          assert.equal(res.status, 202, JSON.stringify(res.body));
          ids.push(res.body.id as string);
        }
      }),
    );
    return ids;
  }

  /**
   * Every message got exactly one 2xx (first attempts of every fifth one fail and are retried), and
   * no message was ever in flight twice: a request never arrives while another with its id is held.
   */
  function assertDeliveredOnce(path: string, ids: string[], holdMs: number): void {
    const byId = new Map<string, Received[]>();
    for (const r of rx.on(path)) {
      const id = String(r.headers['webhook-id']);
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    for (const id of ids) {
      const requests = byId.get(id) ?? [];
      const expected = failsFirst(id) ? 2 : 1;
      assert.equal(requests.length, expected, `${id}: ${requests.length} requests, expected ${expected}`);
      for (let i = 1; i < requests.length; i++) {
        assert.ok(requests[i]!.at - requests[i - 1]!.at >= holdMs, `${id} was in flight twice at once`);
      }
    }
  }

  const failsFirst = (id: string) => id.charCodeAt(id.length - 1) % 5 === 0;

  /** Hold each answer `holdMs`; the first attempt of every fifth message answers 500. */
  function replyOn(path: string, holdMs: number): void {
    const previous = rx.reply;
    rx.reply = (req, seen) => {
      if (req.path !== path) return previous(req, seen);
      const id = String(req.headers['webhook-id']);
      const first = rx.on(path).filter((r) => r.headers['webhook-id'] === id).length === 1;
      return { status: first && failsFirst(id) ? 500 : 200, delayMs: holdMs };
    };
  }

  it('two processes behind a round-robin client deliver every message once', async () => {
    const db = await newDatabase();
    const a = await start(db, 'all', ['--retry-schedule', '100ms']);
    const b = await start(db, 'all', ['--retry-schedule', '100ms']);
    const app = (await call(a.url, 'POST', '/v1/apps', { name: 'two' })).body.id as string;
    assert.equal((await call(b.url, 'POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/two` })).status, 201);
    replyOn('/two', 20);

    const ids = await sendAll([a.url, b.url], app, 150);
    await waitFor(
      () => ids.every((id) => rx.on('/two').some((r) => r.headers['webhook-id'] === id)),
      'every message delivered',
      30_000,
    );
    await waitFor(
      () => rx.on('/two').length >= ids.length + ids.filter(failsFirst).length,
      'every retry delivered',
      30_000,
    );
    assertDeliveredOnce('/two', ids, 20);
    for (const p of [a, b]) {
      p.child.kill('SIGTERM');
      await p.child.exited;
      assert.equal(p.child.exitCode, 0, p.child.stderr);
    }
  });

  it("two processes together keep an endpoint to its rateLimit", async () => {
    const db = await newDatabase();
    const a = await start(db, 'all');
    const b = await start(db, 'all');
    const app = (await call(a.url, 'POST', '/v1/apps', { name: 'limited' })).body.id as string;
    const created = await call(b.url, 'POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/limited`, rateLimit: 5 });
    assert.equal(created.status, 201);
    const ids = await sendAll([a.url, b.url], app, 20);
    const arrived = await waitFor(
      () => (rx.on('/limited').length >= ids.length ? rx.on('/limited') : null),
      'every rate-limited delivery',
      30_000,
    );
    assert.deepEqual(new Set(arrived.map((r) => r.headers['webhook-id'])), new Set(ids));
    assert.equal(arrived.length, ids.length, 'each message once');
    // 5 at once, then 5 per second in all: any 11 in a row span a second (less the clock's jitter).
    const at = arrived.map((r) => r.at);
    for (let i = 0; i + 10 < at.length; i++) assert.ok(at[i + 10]! - at[i]! >= 900, `deliveries ${i}..${i + 10}`);
  });

  it('two api processes share each app\'s --api-rate-limit (429 rate_limited beyond it, in all)', async () => {
    const db = await newDatabase();
    const a = await start(db, 'api', ['--api-rate-limit', '2']);
    const b = await start(db, 'api', ['--api-rate-limit', '2']);
    const app = await call(a.url, 'POST', '/v1/apps', { name: 'limited' });
    assert.equal(app.status, 201);
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${[a, b][i % 2]!.url}/v1/apps/${app.body.id}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as { code?: string };
      if (res.status === 429) {
        assert.equal(body.code, 'rate_limited');
        assert.equal(res.headers.get('retry-after'), '1');
      } else assert.equal(res.status, 200);
      statuses.push(res.status);
    }
    // 2 a second for the app in all (not 2 per process); the bucket refills while the requests run.
    const ok = statuses.filter((s) => s === 200).length;
    const refilled = Math.floor(((Date.now() - started) * 2) / 1000);
    assert.ok(ok >= 2 && ok <= 2 + refilled, `${statuses.join(' ')} in ${Date.now() - started} ms`);
  });

  it('an app deleted through one process is gone at once for ingest through another (its app cache)', async () => {
    const db = await newDatabase();
    const a = await start(db, 'api');
    const b = await start(db, 'api');
    const app = (await call(a.url, 'POST', '/v1/apps', { name: 'gone', uid: 'gone-app' })).body.id as string;
    // A new app is usable at once everywhere (misses are not cached), and b now holds it in its cache.
    for (const ref of [app, 'gone-app']) {
      const res = await call(b.url, 'POST', `/v1/apps/${ref}/messages`, { eventType: 'a.b', payload: {} });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
    assert.equal((await call(a.url, 'DELETE', `/v1/apps/${app}`)).status, 204);
    for (const ref of [app, 'gone-app']) {
      const res = await call(b.url, 'POST', `/v1/apps/${ref}/messages`, { eventType: 'a.b', payload: {} });
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.equal(res.body.code, 'app_not_found');
    }
    assert.equal((await call(a.url, 'GET', `/v1/apps/${app}/messages`)).status, 404);
  });

  it('an api process and two workers share the queue through SKIP LOCKED claims', async () => {
    const db = await newDatabase();
    const api = await start(db, 'api');
    const workers = [
      await start(db, 'worker', ['--retry-schedule', '100ms']),
      await start(db, 'worker', ['--retry-schedule', '100ms']),
    ];
    const app = (await call(api.url, 'POST', '/v1/apps', { name: 'three' })).body.id as string;
    await call(api.url, 'POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/three` });
    replyOn('/three', 20);

    const ids = await sendAll([api.url], app, 150);
    const expected = ids.length + ids.filter(failsFirst).length;
    await waitFor(() => rx.on('/three').length >= expected, 'every attempt', 30_000);
    assertDeliveredOnce('/three', ids, 20);

    // The workers did the delivering; the api process delivered nothing.
    const succeeded = async (url: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/hookline_deliveries_total\{outcome="succeeded"\} (\d+)/.exec(text)?.[1] ?? Number.NaN);
    };
    const counts = await waitFor(async () => {
      const each = await Promise.all(workers.map((w) => succeeded(w.url)));
      return each[0]! + each[1]! === ids.length ? each : null;
    }, 'worker metrics to add up');
    assert.equal(counts.length, 2);
    assert.equal(await succeeded(api.url), 0);
    const onWorker = await call(workers[0]!.url, 'GET', `/v1/apps/${app}`);
    assert.equal(onWorker.status, 404);
    assert.match(onWorker.body.detail, /--role worker/);
    const health = await call(workers[0]!.url, 'GET', '/healthz');
    assert.deepEqual([health.status, health.body.status, health.body.role], [200, 'ok', 'worker']);
  });

  it('kill -9: the dead process’s leased deliveries are taken over when the lease expires', async () => {
    const db = await newDatabase();
    const lease = ['--lease', '2s'];
    const doomed = await start(db, 'all', lease);
    const survivor = await start(db, 'worker', lease);
    const app = (await call(doomed.url, 'POST', '/v1/apps', { name: 'kill' })).body.id as string;
    await call(doomed.url, 'POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/kill` });

    // Hold every request of the doomed process open; after the kill, answer at once.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let killed = false;
    const previous = rx.reply;
    rx.reply = (req, seen) =>
      req.path !== '/kill' ? previous(req, seen) : killed ? { status: 200 } : { status: 200, until: held };

    const ids = await sendAll([doomed.url], app, 20, 4);
    await waitFor(() => rx.on('/kill').length === ids.length, 'every message in flight on the doomed process');
    killed = true;
    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    await doomed.child.exited;
    release();

    const takenOver = () => rx.on('/kill').filter((r) => r.at >= killedAt);
    await waitFor(
      () => ids.every((id) => takenOver().some((r) => r.headers['webhook-id'] === id)),
      'the survivor to deliver every message',
      20_000,
    );
    assert.ok(
      takenOver().every((r) => r.at - killedAt < 10_000),
      'taken over within a few lease periods',
    );
    assert.equal(survivor.child.exitCode, null);
  });
});
