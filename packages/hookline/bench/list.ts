import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { newId } from '../src/core/ids.js';
import { openStore } from '../src/runtime/open-store.js';
import type { DeliveryStore } from '../src/store/port.js';
import type { AttemptOutcome } from '../src/store/types.js';

/**
 * `npm run bench:list`: fill a SQLite store with BENCH_LIST_MESSAGES messages (default 1,000,000) through the
 * store port, start `hookline serve --role api` on it, and report the latency of list and get routes
 * (sequential requests, one at a time, so each figure is one request's own latency). The goal: p99 under
 * 20 ms for a page of 50. BENCH_LIST_DB=path keeps the filled file for another run.
 */
const TOTAL = Number(process.env.BENCH_LIST_MESSAGES ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 500);
const TOKEN = 'bench-admin-token-0123456789';
const BIN = fileURLToPath(new URL('../../bin/hookline.js', import.meta.url));
const DAY = 86_400_000;
const TYPES = ['order.paid', 'order.created', 'user.registered', 'invoice.sent', 'refund.issued'];
const RARE = 'account.closed'; // one message in a thousand

interface Fixture {
  big: string;
  small: string;
  sampleIds: string[];
  attemptMessage: string;
  now: number;
}

/** Fill the store: 90 % of messages in one big app, the rest over nine others, spread over seven days. */
async function fill(store: DeliveryStore, now: number): Promise<Fixture> {
  const apps = [];
  for (let i = 0; i < 10; i++) {
    const name = `bench-${i}`;
    apps.push(await store.createApp({ id: newId('app', now), name, uid: name, createdAt: now }));
  }
  const sampleIds: string[] = [];
  const started = performance.now();
  const chunk = 5_000;
  for (let done = 0; done < TOTAL; done += chunk) {
    const jobs = [];
    for (let i = done; i < Math.min(TOTAL, done + chunk); i++) {
      const at = now - 7 * DAY + Math.floor((i / TOTAL) * 7 * DAY);
      const app = i % 10 === 0 ? apps[1 + ((i / 10) % 9)]! : apps[0]!;
      const id = newId('msg', at);
      if (i % 2_000 === 1) sampleIds.push(id); // in the big app
      const eventType = i % 1000 === 999 ? RARE : TYPES[i % TYPES.length]!;
      const payload = `{"n":${i},"pad":"${'x'.repeat(200)}"}`;
      jobs.push(
        store.enqueueMessage({
          message: { id, appId: app.id, eventType, eventId: `evt-${i}`, payload, timestamp: at },
          leaseTo: null,
          newDeliveryId: () => newId('dlv', at),
        }),
      );
    }
    await Promise.all(jobs);
    if ((done / chunk) % 20 === 0) process.stdout.write(`\r  filled ${done + jobs.length} of ${TOTAL}`);
  }
  console.log(`\r  filled ${TOTAL} messages in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  // One small app with a live endpoint and recorded attempts, for the attempts list.
  const small = apps[9]!;
  const ep = await store.createEndpoint({
    id: newId('ep', now),
    appId: small.id,
    url: 'http://127.0.0.1:9/x',
    description: '',
    eventTypes: [],
    disabled: false,
    rateLimit: null,
    headers: {},
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    createdAt: now,
  });
  const sent = await store.enqueueMessage({
    message: {
      id: newId('msg', now),
      appId: small.id,
      eventType: 'order.paid',
      eventId: null,
      payload: '{}',
      timestamp: now,
    },
    leaseTo: { workerId: 'bench', until: now + 60_000 },
    newDeliveryId: () => newId('dlv', now),
  });
  const delivery = sent!.leased[0]!;
  const { deliveryId, messageId } = delivery;
  const outcome = (n: number, ok: boolean): AttemptOutcome => ({
    deliveryId,
    appId: small.id,
    messageId,
    endpointId: ep.id,
    messageTimestamp: now,
    attempt: {
      id: newId('atmpt', now + n),
      messageId,
      endpointId: ep.id,
      attemptNumber: n,
      status: ok ? 'succeeded' : 'failed',
      responseStatusCode: ok ? 200 : 500,
      responseBody: 'x',
      durationMs: 3,
      error: ok ? null : 'HTTP 500',
      createdAt: now + n,
    },
    next: ok ? { kind: 'succeeded' } : { kind: 'retry', at: now + n },
    disableEndpoint: false,
    disableIfFailingSince: null,
  });
  await store.recordAttempts('bench', [outcome(1, false)]);
  const [again] = await store.claimDueDeliveries('bench', now + 10, 1, now + 60_000);
  await store.recordAttempts('bench', [{ ...outcome(2, true), deliveryId: again!.deliveryId }]);
  const fixture = { big: apps[0]!.id, small: small.id, sampleIds, attemptMessage: messageId, now };
  await store.putSettingIfAbsent('bench_fixture', JSON.stringify(fixture));
  return fixture;
}

async function startHookline(db: string): Promise<{ kill: () => void; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--role', 'api'], {
    env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /hookline listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hookline exited ${code}`)));
  });
  return { kill: () => child.kill('SIGTERM'), url };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Time `REQUESTS` sequential GETs; `next` gives each path (it may follow the previous answer's iterator). */
async function measure(
  pool: Pool,
  next: (previous: any) => string,
): Promise<{ p50: number; p95: number; p99: number; items: number }> {
  const times: number[] = [];
  let previous: any = null;
  let items = 0;
  for (let i = 0; i < REQUESTS + 20; i++) {
    const path = next(previous);
    const started = performance.now();
    const res = await pool.request({ method: 'GET', path, headers: { authorization: `Bearer ${TOKEN}` } });
    const text = await res.body.text();
    const elapsed = performance.now() - started;
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text}`);
    previous = JSON.parse(text);
    if (i >= 20) {
      times.push(elapsed); // the first 20 warm the statement cache and connection
      items += Array.isArray(previous.data) ? previous.data.length : 1;
    }
  }
  times.sort((a, b) => a - b);
  const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => quantile(times, q)) as [number, number, number];
  return { p50, p95, p99, items: items / REQUESTS };
}

async function main(): Promise<void> {
  const keep = process.env.BENCH_LIST_DB;
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'hookline-bench-list-'));
  const db = keep ?? join(dir!, 'list.db');
  let fixture: Fixture;
  {
    const reuse = existsSync(db);
    const store = await openStore(db);
    const saved = reuse ? await store.getSetting('bench_fixture') : null;
    fixture = saved ? (JSON.parse(saved) as Fixture) : await fill(store, Date.now());
    if (saved) console.log(`  reusing ${db}`);
    await store.close();
  }
  const hl = await startHookline(db);
  const pool = new Pool(hl.url, { connections: 1 });
  try {
    const messages = `/v1/apps/${fixture.big}/messages`;
    let sample = 0;
    const ids = fixture.sampleIds;
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const walk = (query: string) => (prev: any) =>
      prev?.iterator ? `${messages}?${query}&iterator=${prev.iterator}` : `${messages}?${query}`;
    const scenarios: Array<[string, (prev: any) => string]> = [
      ['messages, first page (limit 50)', () => `${messages}?limit=50`],
      ['messages, walking pages by iterator', walk('limit=50')],
      ['messages of one type, walking pages', walk('limit=50&eventType=order.paid')],
      ['messages of a rare type (0.1 %), walking', walk(`limit=50&eventType=${RARE}`)],
      [
        'messages in a time window, walking',
        walk(`limit=50&after=${iso(fixture.now - 3 * DAY)}&before=${iso(fixture.now - 2 * DAY)}`),
      ],
      ['one message with its payload', () => `${messages}/${ids[sample++ % ids.length]}`],
      ["a message's attempts", () => `/v1/apps/${fixture.small}/messages/${fixture.attemptMessage}/attempts`],
      ['app stats (all history)', () => `/v1/apps/${fixture.big}/stats`],
    ];
    const total = TOTAL.toLocaleString('en');
    console.log(`\nhookline list bench: ${total} messages, ${REQUESTS} sequential requests each`);
    console.log(`${'scenario'.padEnd(44)} ${'items'.padStart(5)}  p50 ms  p95 ms  p99 ms`);
    for (const [name, next] of scenarios) {
      const r = await measure(pool, next);
      const row = [r.p50, r.p95, r.p99].map((v) => v.toFixed(2).padStart(7)).join(' ');
      const verdict = r.p99 < 20 ? '' : '  (over 20 ms)';
      console.log(`${name.padEnd(44)} ${r.items.toFixed(0).padStart(5)} ${row}${verdict}`);
    }
  } finally {
    await pool.close();
    hl.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
