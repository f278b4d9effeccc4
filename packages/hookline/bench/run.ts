import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchPostgresUrl, type PostgresResult, runPostgresScenario } from './postgres.js';
import {
  blast,
  CEILING_CONNECTIONS,
  cpuSeconds,
  json,
  PAYLOAD,
  sendMessage,
  SENDERS,
  startHookline,
  WARM_UP_MESSAGES,
  waitForCount,
} from './processes.js';

/**
 * `npm run bench`: (a) the raw ceiling — undici POSTing a 1 KB body straight to a local receiver, the median
 * of rounds taken at the start, after (c) and after (d);
 * (b) hookline end to end on SQLite — messages through the HTTP API to the same receiver, deliveries/s and
 * the ratio to (a); (c) delay p50/p95/p99 at a paced 1,000 messages/s; (d) the same burst as (b) on
 * PostgreSQL with 1, 2 and 4 `hookline serve` processes behind a round-robin client, with the database's
 * commits per delivery and each process's CPU per delivery. Figures drift ±30 % between runs on this
 * machine, so compare ratios measured in the same run.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 30_000); // rounds of 10,000 took 0.2 s at the ceiling
const PACED_RATE = 1_000;
/** Ceiling rounds at each of the three points of the run (before (b), after (c), after (d)). */
const CEILING_ROUNDS = 3;
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);
const PG_PROCESSES = (process.env.BENCH_PG_PROCESSES ?? '1,2,4')
  .split(',')
  .map(Number)
  .filter((n) => n > 0); // BENCH_PG_PROCESSES=0: SQLite only

async function startReceiver(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)), [], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

/** `count` rounds of MESSAGES raw POSTs through 128 connections (after a warm-up if asked), as req/s each. */
async function ceilingRounds(receiverUrl: string, count: number, warmUp: boolean): Promise<number[]> {
  const body = JSON.stringify({ type: 'bench.ceiling', timestamp: new Date().toISOString(), data: PAYLOAD });
  const direct = new Pool(receiverUrl, { connections: CEILING_CONNECTIONS });
  const postRaw = async () => {
    await (
      await direct.request({ method: 'POST', path: '/raw', body, headers: { 'content-type': 'application/json' } })
    ).body.text();
  };
  try {
    if (warmUp) await blast(2_000, CEILING_CONNECTIONS, postRaw);
    const rounds: number[] = [];
    for (let round = 0; round < count; round++) {
      const began = performance.now();
      await blast(MESSAGES, CEILING_CONNECTIONS, postRaw);
      rounds.push(MESSAGES / ((performance.now() - began) / 1000));
    }
    return rounds;
  } finally {
    await direct.close();
  }
}

const fmt = (n: number | null, digits = 2) => (n === null || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));

function postgresRows(results: PostgresResult[], ceiling: number): string[][] {
  const one = results.find((r) => r.processes === 1);
  return results.flatMap((r) => [
    [
      `(d) PostgreSQL, ${r.processes} process${r.processes > 1 ? 'es' : ''} (--role all, round-robin, ${SENDERS * r.processes} concurrent)`,
      `${r.deliveriesPerSecond.toFixed(0)} deliveries/s`,
      `${(r.deliveriesPerSecond / ceiling).toFixed(2)}${one && r !== one ? ` (${(r.deliveriesPerSecond / one.deliveriesPerSecond).toFixed(2)} × one)` : ''}`,
    ],
    ['    ingest alone (202s)', `${r.ingestPerSecond.toFixed(0)} msgs/s`, (r.ingestPerSecond / ceiling).toFixed(2)],
    [
      '    commits per delivery · CPU ms per delivery',
      `${fmt(r.commitsPerDelivery, 3)} commits · hookline ${fmt(r.hooklineCpuMsPerDelivery, 3)} · db ${fmt(r.databaseCpuMsPerDelivery, 3)}`,
      '',
    ],
    ['    each process: CPU ms per delivery it made', r.workerCpuMsPerDelivery.map((c) => fmt(c, 3)).join(' · '), ''],
  ]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-'));
  const rx = await startReceiver();
  const hl = await startHookline(join(dir, 'bench.db'));
  const pgUrl = await benchPostgresUrl();
  const receiver = new Pool(rx.url, { connections: 8 });
  const api = new Pool(hl.url, { connections: SENDERS });
  try {
    // (a) Raw ceiling: the same 1 KB body straight to the receiver, in rounds at the start, after (c) and
    // after (d). A single round swings ±30 % here from one second to the next (20,900–33,600 req/s in twelve
    // consecutive rounds, at the same CPU use), so every ratio divides by the median of all of them.
    const rounds = await ceilingRounds(rx.url, CEILING_ROUNDS, true);

    // (b) End to end through hookline's API.
    const app = await json(api, 'POST', '/v1/apps', { name: 'bench' });
    await json(api, 'POST', `/v1/apps/${app.id}/endpoints`, { url: `${rx.url}/hook` });
    const send = () => sendMessage(api, app.id);
    await blast(WARM_UP_MESSAGES, SENDERS, send);
    await waitForCount(receiver, WARM_UP_MESSAGES, 120_000);
    await json(receiver, 'POST', '/reset');
    const cpuBefore = cpuSeconds(hl.child.pid!);
    const started = performance.now();
    await blast(MESSAGES, SENDERS, send);
    const ingestSeconds = (performance.now() - started) / 1000;
    await waitForCount(receiver, MESSAGES, 120_000);
    const e2eSeconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(hl.child.pid!);
    const sqliteCpuMs = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / MESSAGES;
    const e2e = MESSAGES / e2eSeconds;

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
    hl.child.kill('SIGTERM'); // the SQLite process is done; the PostgreSQL runs get the machine
    rounds.push(...(await ceilingRounds(rx.url, CEILING_ROUNDS, false)));

    // (d) PostgreSQL: the same burst with 1, 2 and 4 processes on one database.
    const postgres: PostgresResult[] = [];
    if (pgUrl) {
      for (const n of PG_PROCESSES) {
        await json(receiver, 'POST', '/reset');
        postgres.push(await runPostgresScenario(pgUrl, rx.url, receiver, n, MESSAGES));
      }
    }

    if (postgres.length > 0) rounds.push(...(await ceilingRounds(rx.url, CEILING_ROUNDS, false)));
    const ceiling = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
    const rows = [
      [
        `(a) raw ceiling: undici → receiver (median of ${rounds.length} rounds)`,
        `${ceiling.toFixed(0)} req/s (${Math.min(...rounds).toFixed(0)}–${Math.max(...rounds).toFixed(0)})`,
        '1.00',
      ],
      [
        `(b) hookline end to end, SQLite (${MESSAGES} msgs, ${SENDERS} concurrent)`,
        `${e2e.toFixed(0)} deliveries/s`,
        (e2e / ceiling).toFixed(2),
      ],
      [
        '    ingest alone (202s)',
        `${(MESSAGES / ingestSeconds).toFixed(0)} msgs/s`,
        (MESSAGES / ingestSeconds / ceiling).toFixed(2),
      ],
      ['    hookline CPU per message (ingest + delivery)', `${fmt(sqliteCpuMs, 3)} ms`, ''],
      [
        `(c) delay at ${PACED_RATE} msg/s for ${PACED_SECONDS} s`,
        `p50 ${paced.p50} ms · p95 ${paced.p95} ms · p99 ${paced.p99} ms`,
        '',
      ],
    ];
    rows.push(...postgresRows(postgres, ceiling));
    console.log(
      `\nhookline benchmark (SQLite synchronous=FULL; PostgreSQL ${pgUrl ? new URL(pgUrl).host : 'not reachable: (d) skipped'}; this machine: ${cpus().length} cores)`,
    );
    for (const [what, value, ratio] of rows) console.log(`${what!.padEnd(64)} ${value!.padEnd(56)} ${ratio}`);
  } finally {
    await api.close();
    await receiver.close();
    hl.child.kill('SIGTERM');
    rx.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
