import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

/** Shared pieces of the benchmark: hookline child processes, HTTP helpers, CPU accounting. */
export const TOKEN = 'bench-admin-token-0123456789';
export const PAYLOAD = { order: 'o_123', items: 'x'.repeat(940) }; // ≈1 KB envelope
/**
 * Concurrent senders: the ceiling's connections, (b)'s senders and each PostgreSQL process's senders, so
 * that the ratio compares hookline and the bare receiver under the same load. Group commit shares a COMMIT
 * among the requests waiting for it, so fewer senders mean smaller batches (64 gave ≈ 16 % fewer
 * deliveries/s on SQLite in alternating runs: docs/benchmarks.md). `BENCH_CONCURRENCY` changes it for (b)
 * and (d) only.
 */
export const CEILING_CONNECTIONS = 128;
export const SENDERS = Number(process.env.BENCH_CONCURRENCY ?? CEILING_CONNECTIONS);
/**
 * Messages each hookline process gets before anything is measured. Its threads' code must finish being
 * optimized first. On the slower machine of an earlier round, after 1,000 messages `perf` still showed
 * TurboFan compiling (≈8 % of the process's CPU); on a faster one, after 10,000 it was ≈14 % at the
 * start of the burst and ≈1.6 % after 80,000 (docs/benchmarks.md). A service runs warm.
 */
export const WARM_UP_MESSAGES = Number(process.env.BENCH_WARMUP ?? 40_000);
const BIN = fileURLToPath(new URL('../../bin/hookline.js', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

export interface Hookline {
  child: ChildProcess;
  url: string;
}

/** Start `hookline serve` on `db` and wait for its URL. */
export async function startHookline(db: string, args: string[] = []): Promise<Hookline> {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, 'serve', '--port', '0', '--db', db, '--allow-private-network', ...args],
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

/** SIGTERM and wait for the exit (in-flight attempts finish, connections close). */
export async function stopHookline(hookline: Hookline): Promise<void> {
  if (hookline.child.exitCode !== null) return;
  const exited = new Promise((resolve) => hookline.child.once('exit', resolve));
  hookline.child.kill('SIGTERM');
  await exited;
}

export async function json(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
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

const MESSAGE_BODY = JSON.stringify({ eventType: 'order.paid', payload: PAYLOAD });
const MESSAGE_HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** One message through the API, its body built once (as the ceiling's is), the 202 checked. */
export async function sendMessage(pool: Pool, appId: string): Promise<void> {
  const res = await pool.request({
    method: 'POST',
    path: `/v1/apps/${appId}/messages`,
    headers: MESSAGE_HEADERS,
    body: MESSAGE_BODY,
  });
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`POST /v1/apps/${appId}/messages: ${res.statusCode} ${text}`);
}

/** Run `total` requests with `concurrency` workers. */
export async function blast(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
}

/** Wait until the receiver has counted `target` deliveries; returns its stats (count, delay percentiles). */
export async function waitForCount(receiver: Pool, target: number, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await json(receiver, 'GET', '/count');
    if (count >= target) return json(receiver, 'GET', '/stats');
    if (Date.now() > deadline) throw new Error(`only ${count}/${target} delivered in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is no /proc. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** `hookline_deliveries_total{outcome="succeeded"}` of one process. */
export async function succeededDeliveries(url: string): Promise<number> {
  const pool = new Pool(url, { connections: 1 });
  try {
    const res = await pool.request({ method: 'GET', path: '/metrics' });
    const text = await res.body.text();
    return Number(/hookline_deliveries_total\{outcome="succeeded"\} (\d+)/.exec(text)?.[1] ?? 0);
  } finally {
    await pool.close();
  }
}
