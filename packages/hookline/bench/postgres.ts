import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Pool } from 'undici';
import {
  blast,
  cpuSeconds,
  type Hookline,
  json,
  sendMessage,
  SENDERS,
  startHookline,
  stopHookline,
  succeededDeliveries,
  WARM_UP_MESSAGES,
  waitForCount,
} from './processes.js';
import { tcpAnswers } from './tcp.js';

/** One PostgreSQL scenario: N `hookline serve --role all` processes on one fresh database. */
export interface PostgresResult {
  processes: number;
  deliveriesPerSecond: number;
  /** Messages/s the API accepted (202s) during the burst. */
  ingestPerSecond: number;
  /** pg_stat_database xact_commit of the scenario's database ÷ every delivery it made (warm-up included). */
  commitsPerDelivery: number;
  /** Per process: its CPU time during the measured burst ÷ the deliveries it made. */
  workerCpuMsPerDelivery: number[];
  /** All hookline processes' CPU during the burst ÷ all deliveries. */
  hooklineCpuMsPerDelivery: number | null;
  /** CPU of the database's backends serving this database during the burst ÷ deliveries. */
  databaseCpuMsPerDelivery: number | null;
}

/** The PostgreSQL server the benchmark uses, if one answers: HOOKLINE_BENCH_PG, HOOKLINE_TEST_PG, or local. */
export async function benchPostgresUrl(): Promise<string | null> {
  const url = process.env.HOOKLINE_BENCH_PG || process.env.HOOKLINE_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';
  const { hostname, port } = new URL(url);
  const answers = await tcpAnswers(hostname || '127.0.0.1', Number(port || 5432));
  return answers ? url : null;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Backend pids serving `database` and their CPU seconds so far. */
async function databaseCpu(adminUrl: string, database: string): Promise<Map<number, number>> {
  const pids = await admin(adminUrl, async (c) =>
    (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

export async function runPostgresScenario(
  adminUrl: string,
  receiverUrl: string,
  receiver: Pool,
  processes: number,
  messages: number,
): Promise<PostgresResult> {
  const database = `hookline_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const hooklines: Hookline[] = [];
  const pools: Pool[] = [];
  try {
    for (let i = 0; i < processes; i++) hooklines.push(await startHookline(url.toString()));
    // A burst from many senders behind a load balancer: as many concurrent requests per process as (b) sends.
    const concurrency = SENDERS * processes;
    for (const h of hooklines) pools.push(new Pool(h.url, { connections: SENDERS }));
    const app = await json(pools[0]!, 'POST', '/v1/apps', { name: 'bench' });
    await json(pools[0]!, 'POST', `/v1/apps/${app.id}/endpoints`, { url: `${receiverUrl}/hook` });
    // A load balancer in front: request i goes to process i mod N.
    const send = async (i: number) => {
      await sendMessage(pools[i % pools.length]!, app.id);
    };

    await json(receiver, 'POST', '/reset');
    const warmUp = WARM_UP_MESSAGES * processes; // round-robin: each process gets as many as the SQLite one
    await blast(warmUp, concurrency, send);
    await waitForCount(receiver, warmUp, 180_000);
    await json(receiver, 'POST', '/reset');

    const cpuBefore = hooklines.map((h) => cpuSeconds(h.child.pid!));
    const deliveredBefore = await Promise.all(hooklines.map((h) => succeededDeliveries(h.url)));
    const dbBefore = await databaseCpu(adminUrl, database);
    const started = performance.now();
    await blast(messages, concurrency, send);
    const ingestSeconds = (performance.now() - started) / 1000;
    await waitForCount(receiver, messages, 180_000);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = hooklines.map((h) => cpuSeconds(h.child.pid!));
    const deliveredAfter = await Promise.all(hooklines.map((h) => succeededDeliveries(h.url)));
    const dbAfter = await databaseCpu(adminUrl, database);

    const workerCpuMsPerDelivery = hooklines.map((_, i) => {
      const cpu = cpuAfter[i]! - cpuBefore[i]!;
      const delivered = deliveredAfter[i]! - deliveredBefore[i]!;
      return delivered > 0 ? (cpu * 1000) / delivered : Number.NaN;
    });
    const hooklineCpu = cpuAfter.every((c) => c !== null)
      ? cpuAfter.reduce((sum, c, i) => sum + c! - cpuBefore[i]!, 0)
      : null;
    let dbCpu = 0;
    for (const [pid, after] of dbAfter) dbCpu += after - (dbBefore.get(pid) ?? after);

    for (const pool of pools) await pool.close();
    pools.length = 0;
    for (const h of hooklines) await stopHookline(h);
    // Backends flush their statistics as they exit; give them a moment after the processes are gone.
    await new Promise((r) => setTimeout(r, 1_000));
    const commits = await admin(adminUrl, async (c) =>
      Number(
        (await c.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [database])).rows[0]
          .xact_commit,
      ),
    );
    return {
      processes,
      deliveriesPerSecond: messages / seconds,
      ingestPerSecond: messages / ingestSeconds,
      commitsPerDelivery: commits / (warmUp + messages),
      workerCpuMsPerDelivery,
      hooklineCpuMsPerDelivery: hooklineCpu === null ? null : (hooklineCpu * 1000) / messages,
      databaseCpuMsPerDelivery: dbAfter.size > 0 ? (dbCpu * 1000) / messages : null,
    };
  } finally {
    for (const pool of pools) await pool.close();
    for (const h of hooklines) await stopHookline(h);
    await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}
