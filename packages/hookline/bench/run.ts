import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

/**
 * `npm run bench`: (a) the raw ceiling — undici POSTing a 1 KB body straight to a local receiver;
 * (b) hookline end to end — messages through the HTTP API to the same receiver, deliveries/s and the
 * ratio to (a); (c) delay p50/p95/p99 at a paced 1,000 messages/s. Three processes: this load generator,
 * hookline (SQLite, synchronous=FULL) and the receiver. Figures drift ±30 % between runs on this machine,
 * so compare ratios measured in the same run.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PACED_RATE = 1_000;
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);
const TOKEN = 'bench-admin-token-0123456789';
const PAYLOAD = { order: 'o_123', items: 'x'.repeat(940) }; // ≈1 KB envelope
const BIN = fileURLToPath(new URL('../../bin/hookline.js', import.meta.url));

async function startReceiver(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)), [], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startHookline(db: string): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, 'serve', '--port', '0', '--db', db, '--allow-private-network'],
    {
      env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /hookline listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hookline exited ${code}`)));
  });
  return { child, url };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function json(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await pool.request({
    method,
    path,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Run `total` requests with `concurrency` workers. */
async function blast(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
}

async function waitForCount(receiver: Pool, target: number, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await json(receiver, 'GET', '/stats');
    if (stats.count >= target) return stats;
    if (Date.now() > deadline) throw new Error(`only ${stats.count}/${target} delivered in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-'));
  const rx = await startReceiver();
  const hl = await startHookline(join(dir, 'bench.db'));
  const receiver = new Pool(rx.url, { connections: 8 });
  const api = new Pool(hl.url, { connections: 64 });
  try {
    // (a) Raw ceiling: the same 1 KB body straight to the receiver.
    const body = JSON.stringify({
      type: 'bench.ceiling',
      timestamp: new Date().toISOString(),
      data: PAYLOAD,
    });
    const direct = new Pool(rx.url, { connections: 128 });
    const postRaw = async () => {
      await (
        await direct.request({ method: 'POST', path: '/raw', body, headers: { 'content-type': 'application/json' } })
      ).body.text();
    };
    await blast(2_000, 128, postRaw); // warm-up
    let started = performance.now();
    await blast(MESSAGES * 2, 128, postRaw);
    const ceiling = (MESSAGES * 2) / ((performance.now() - started) / 1000);
    await direct.close();

    // (b) End to end through hookline's API.
    const app = await json(api, 'POST', '/v1/apps', { name: 'bench' });
    await json(api, 'POST', `/v1/apps/${app.id}/endpoints`, { url: `${rx.url}/hook` });
    const send = async () => {
      await json(api, 'POST', `/v1/apps/${app.id}/messages`, { eventType: 'order.paid', payload: PAYLOAD });
    };
    await blast(1_000, 64, send); // warm-up
    await waitForCount(receiver, 1_000, 30_000);
    await json(receiver, 'POST', '/reset');
    started = performance.now();
    const cpuBefore = cpuSeconds(hl.child.pid!);
    await blast(MESSAGES, 64, send);
    const ingestSeconds = (performance.now() - started) / 1000;
    await waitForCount(receiver, MESSAGES, 120_000);
    const e2eSeconds = (performance.now() - started) / 1000;
    const e2e = MESSAGES / e2eSeconds;
    const cpuPerMessage = ((cpuSeconds(hl.child.pid!) - cpuBefore) * 1000) / MESSAGES;

    // (c) Delay at a paced 1,000 messages/s.
    await json(receiver, 'POST', '/reset');
    const total = PACED_RATE * PACED_SECONDS;
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / PACED_RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(send());
    }
    await Promise.all(inflight);
    const paced = await waitForCount(receiver, total, 60_000);

    const rows = [
      ['(a) raw ceiling: undici → receiver', `${ceiling.toFixed(0)} req/s`, '1.00'],
      [
        `(b) hookline end to end (${MESSAGES} msgs, 64 concurrent)`,
        `${e2e.toFixed(0)} deliveries/s`,
        (e2e / ceiling).toFixed(2),
      ],
      [
        '    ingest alone (202s)',
        `${(MESSAGES / ingestSeconds).toFixed(0)} msgs/s`,
        (MESSAGES / ingestSeconds / ceiling).toFixed(2),
      ],
      ['    hookline CPU per message (ingest + delivery)', `${cpuPerMessage.toFixed(3)} ms`, ''],
      [
        `(c) delay at ${PACED_RATE} msg/s for ${PACED_SECONDS} s`,
        `p50 ${paced.p50} ms · p95 ${paced.p95} ms · p99 ${paced.p99} ms`,
        '',
      ],
    ];
    console.log(
      '\nhookline benchmark (SQLite, synchronous=FULL; this machine:',
      `${(await import('node:os')).cpus().length} cores)`,
    );
    for (const [what, value, ratio] of rows) console.log(`${what!.padEnd(52)} ${value!.padEnd(44)} ${ratio}`);
  } finally {
    await api.close();
    await receiver.close();
    hl.child.kill('SIGTERM');
    rx.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
