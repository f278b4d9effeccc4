import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type pg from 'pg';
import { AppRateLimit } from '../src/api/app-rate-limit.js';
import type { HttpError } from '../src/api/errors.js';
import { newId } from '../src/core/ids.js';
import { StoreUnavailableError } from '../src/store/errors.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { VACUUM_LOCK } from '../src/store/postgres/statements.js';
import { connect, createTestDatabase, skipWithoutPg, type TestDatabase } from './helpers/postgres.js';
import { storeConformance } from './helpers/store-conformance.js';
import { enqueue, seed, T0 } from './helpers/store-fixtures.js';
import { waitFor } from './helpers/wait.js';

// Each test gets a fresh database (the schema name is fixed: hookline.send_message).
const databases: TestDatabase[] = [];
after(async () => {
  for (const db of databases) await db.drop();
});
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('hookline_store');
  databases.push(db);
  return db;
}

describe('PostgreSQL store conformance', { skip: skipWithoutPg }, () => {
  storeConformance(async () => {
    const store = new PostgresStore((await freshDatabase()).url, { poolSize: 4 });
    await store.migrate();
    return store;
  });
});

describe('PostgreSQL store across processes', { skip: skipWithoutPg }, () => {
  /** Two stores on one database: two processes as far as PostgreSQL can tell. */
  async function twoStores(): Promise<[PostgresStore, PostgresStore]> {
    const db = await freshDatabase();
    const stores: [PostgresStore, PostgresStore] = [
      new PostgresStore(db.url, { poolSize: 3 }),
      new PostgresStore(db.url, { poolSize: 3 }),
    ];
    await Promise.all(stores.map((s) => s.migrate()));
    return stores;
  }

  /** An app with one endpoint for every type, and `messages` pending deliveries to it. */
  async function seedQueue(store: PostgresStore, messages: number): Promise<string> {
    const { app } = await seed(store, [{ eventTypes: [] }]);
    await Promise.all(Array.from({ length: messages }, () => enqueue(store, app.id, 'a')));
    return app.id;
  }

  it('applies each migration once when several processes start together', async () => {
    const db = await freshDatabase();
    const stores = Array.from({ length: 4 }, () => new PostgresStore(db.url, { poolSize: 2 }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const client = await connect(db.url);
      try {
        const { rows } = await client.query('SELECT version FROM hookline.schema_migrations ORDER BY version');
        assert.deepEqual(
          rows.map((r) => r.version),
          POSTGRES_MIGRATIONS.map((m) => m.version),
        );
      } finally {
        await client.end();
      }
      await stores[0]!.migrate(); // and again later: nothing to do
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  /** A database migrated up to migration 11: migration 12 adds a column to deliveries (an ALTER TABLE). */
  async function oneMigrationBehind(): Promise<TestDatabase> {
    const db = await freshDatabase();
    const store = new PostgresStore(db.url, { poolSize: 2 });
    await store.migrate();
    await store.close();
    const twelve = POSTGRES_MIGRATIONS.find((m) => m.version === 12)!;
    assert.match(twelve.sql, /ALTER TABLE hookline\.deliveries ADD COLUMN added_by_resend/, 'the undo below fits it');
    const client = await connect(db.url);
    await client.query('ALTER TABLE hookline.deliveries DROP COLUMN added_by_resend');
    await client.query('DELETE FROM hookline.schema_migrations WHERE version >= 12');
    await client.end();
    return db;
  }

  it('a migration waiting for a table lock an open transaction holds gives way instead of stalling the running processes', async () => {
    const db = await oneMigrationBehind();
    const running = new PostgresStore(db.url, { poolSize: 2 });
    const platform = await connect(db.url); // a platform transaction that read deliveries, still open
    await platform.query('BEGIN');
    await platform.query('SELECT count(*) FROM hookline.deliveries');
    const warnings: string[] = [];
    const upgrading = new PostgresStore(db.url, {
      poolSize: 2,
      migrationPatienceMs: 60_000,
      log: (_level, message) => warnings.push(message),
    });
    const migrated = upgrading.migrate();
    try {
      await waitFor(() => warnings.length > 0, 'the migration saying what it waits for');
      assert.match(warnings[0]!, /migration \d+ \(deliveries a resend added\) cannot lock its tables: another transaction holds them \(pid \d+, open \d+ s, idle in transaction\); trying again every second/);
      // Meanwhile the running process's reads of that table are not queued behind the waiting ALTER for long.
      for (let i = 0; i < 3; i++) {
        const began = Date.now();
        await running.queueDepth();
        assert.ok(Date.now() - began < 1_000, `a read waited ${Date.now() - began} ms`);
      }
      await platform.query('COMMIT');
      await migrated;
    } finally {
      await platform.end();
      await Promise.all([running.close(), upgrading.close()]);
    }
    const check = await connect(db.url);
    const { rows } = await check.query('SELECT max(version) AS v FROM hookline.schema_migrations');
    await check.end();
    assert.equal(rows[0].v, POSTGRES_MIGRATIONS.at(-1)!.version);
  });

  it('gives up on a lock it cannot get within its patience, naming the transaction that holds it', async () => {
    const db = await oneMigrationBehind();
    const platform = await connect(db.url);
    await platform.query('BEGIN');
    await platform.query('SELECT count(*) FROM hookline.deliveries');
    const store = new PostgresStore(db.url, { poolSize: 2, migrationPatienceMs: 1_500 });
    try {
      await assert.rejects(store.migrate(), /cannot lock its tables: another transaction holds them \(pid \d+, open \d+ s, idle in transaction\); gave up after 2 s \(end that transaction, then start again\)/);
    } finally {
      await platform.query('ROLLBACK');
      await platform.end();
      await store.close();
    }
  });

  it('migration 13 marks the deliveries a resend added before migration 12, and only those', async () => {
    const db = await freshDatabase();
    const store = new PostgresStore(db.url, { poolSize: 2 });
    const client = await connect(db.url);
    try {
      await store.migrate();
      const { app, eps } = await seed(store, [{ eventTypes: ['a'] }, { eventTypes: ['b'] }]);
      const sent = await enqueue(store, app.id, 'a');
      assert.equal((await store.resendMessage(app.id, sent.message.id, eps[1]!.id, T0 + 2_000)).queued, 1);
      await client.query(`SELECT hookline.send_message($1, 'a', '{}'::jsonb)`, [app.id]);
      // As an upgrade from before migration 12 finds them: no row marked.
      await client.query('UPDATE hookline.deliveries SET added_by_resend = false');
      await client.query('DELETE FROM hookline.schema_migrations WHERE version = 13');
      await store.migrate();
      const { rows } = await client.query(
        'SELECT endpoint_id, added_by_resend FROM hookline.deliveries ORDER BY added_by_resend, id',
      );
      assert.deepEqual(
        rows.map((r) => [r.endpoint_id, r.added_by_resend]),
        [
          [eps[0]!.id, false],
          [eps[0]!.id, false],
          [eps[1]!.id, true],
        ],
      );
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('refuses a database a newer hookline migrated (a downgrade, or an old process in a rolling upgrade)', async () => {
    const db = await freshDatabase();
    const store = new PostgresStore(db.url, { poolSize: 2 });
    await store.migrate();
    const client = await connect(db.url);
    const next = POSTGRES_MIGRATIONS.at(-1)!.version + 1;
    await client.query(`INSERT INTO hookline.schema_migrations (version, name) VALUES ($1, 'from the future')`, [next]);
    await client.end();
    try {
      await assert.rejects(
        store.migrate(),
        new RegExp(`migrated by a newer hookline \\(schema version ${next}; this version knows up to ${next - 1}\\): run the newer version`),
      );
    } finally {
      await store.close();
    }
  });

  it('claims concurrently from two processes without ever handing one delivery to both', async () => {
    const [a, b] = await twoStores();
    try {
      await seedQueue(a, 200);
      const claimed: string[][] = [[], []];
      for (let round = 0; round < 12; round++) {
        const [fromA, fromB] = await Promise.all([
          a.claimDueDeliveries('worker-a', T0, 7, T0 + 30_000),
          b.claimDueDeliveries('worker-b', T0, 7, T0 + 30_000),
        ]);
        claimed[0]!.push(...fromA.map((d) => d.deliveryId));
        claimed[1]!.push(...fromB.map((d) => d.deliveryId));
      }
      const all = [...claimed[0]!, ...claimed[1]!];
      assert.equal(new Set(all).size, all.length, 'no delivery claimed twice');
      assert.equal(all.length, 12 * 14, 'SKIP LOCKED skips, it does not come back empty-handed');
      assert.ok(claimed[0]!.length > 0 && claimed[1]!.length > 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("shares an endpoint's rate-limit tokens between processes", async () => {
    const [a, b] = await twoStores();
    try {
      const { eps } = await seed(a, [{ eventTypes: [] }]);
      const endpointId = eps[0]!.id;
      // A new bucket is full: 5 tokens at 5 per second, whichever process takes them.
      assert.deepEqual(await a.takeRateTokens(endpointId, 5, 3), { taken: 3, waitMs: 0 });
      const second = await b.takeRateTokens(endpointId, 5, 5);
      assert.equal(second.taken, 2);
      assert.ok(second.waitMs > 0 && second.waitMs <= 200, `next token in ${second.waitMs} ms`);
      const third = await a.takeRateTokens(endpointId, 5, 1);
      assert.ok(third.taken === 0 || third.waitMs === 0, 'one more only once a fifth of a second has passed');
      // An endpoint that is gone limits nothing.
      assert.deepEqual(await b.takeRateTokens('ep_gone', 5, 4), { taken: 4, waitMs: 0 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('announces due work to the other process through LISTEN/NOTIFY', async () => {
    const [a, b] = await twoStores();
    try {
      let announced = 0;
      const unsubscribe = b.onNewWork(() => announced++);
      await waitFor(() => announced >= 1, 'the announcement after LISTEN starts');
      const before = announced;
      await seedQueue(a, 1);
      await waitFor(() => announced > before, 'the announcement of the new delivery');
      unsubscribe();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps answering after another process migrates the tables under its prepared statements', async () => {
    const [a, b] = await twoStores();
    try {
      const appId = await seedQueue(a, 1);
      const app = await a.findApp(appId);
      const [endpoint] = (await a.listEndpoints(appId, { limit: 10 })).data;
      assert.ok(app && endpoint);
      // What a newer version's migration might do while this one runs: add columns to the tables.
      const client = await connect(databases.at(-1)!.url);
      try {
        await client.query('ALTER TABLE hookline.apps ADD COLUMN later_feature text');
        await client.query('ALTER TABLE hookline.endpoints ADD COLUMN later_feature text');
      } finally {
        await client.end();
      }
      assert.equal((await a.findApp(appId))?.id, appId);
      assert.equal((await a.getEndpoint(appId, endpoint.id))?.id, endpoint.id);
      assert.equal((await a.listEndpoints(appId, { limit: 10 })).data.length, 1);
      assert.equal((await b.findApp(appId))?.id, appId);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('ANALYZEs the tables that outgrew their statistics, whatever autovacuum does, so cached plans are made again', async () => {
    const db = await freshDatabase();
    const store = new PostgresStore(db.url, { poolSize: 2 });
    await store.migrate();
    const client = await connect(db.url);
    try {
      const table = (name: string) => tableStats(client, name);
      const analyzed = async (name: string) => (await table(name)).analyzed;
      // Backends report their changes to the statistics system within seconds of committing.
      const reported = (name: string, rows: number) =>
        waitFor(async () => (await table(name)).liveRows >= rows, `${name}: ${rows} rows reported`, 30_000);

      // Small tables keep their plans: not analyzed below 1,000 rows.
      const appId = await seedQueue(store, 300);
      await reported('deliveries', 300);
      await store.maintain();
      assert.equal(await analyzed('deliveries'), 0);

      // Past 1,000 rows (twice the size at the last ANALYZE, which was none, plus 1,000): analyzed.
      await Promise.all(Array.from({ length: 800 }, () => enqueue(store, appId, 'a')));
      await reported('deliveries', 1_100);
      await reported('messages', 1_100);
      await store.maintain();
      for (const name of ['deliveries', 'messages']) assert.equal(await analyzed(name), 1, name);
      assert.equal(await analyzed('endpoints'), 0, 'one row: left alone');

      // Growing by less than its size plus 1,000 rows since: not analyzed again.
      await Promise.all(Array.from({ length: 500 }, () => enqueue(store, appId, 'a')));
      await reported('deliveries', 1_600);
      await store.maintain();
      assert.equal(await analyzed('deliveries'), 1, 'grew by less than double: not analyzed again');
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('VACUUMs its tables with many dead rows (for servers without autovacuum), one process at a time', async () => {
    const db = await freshDatabase();
    const store = new PostgresStore(db.url, { poolSize: 2 });
    await store.migrate();
    const client = await connect(db.url);
    try {
      await client.query('ALTER TABLE hookline.deliveries SET (autovacuum_enabled = false)'); // only ours counts
      await seedQueue(store, 300);
      await client.query('UPDATE hookline.deliveries SET next_attempt_at = next_attempt_at + 1'); // 300 dead rows
      const table = () => tableStats(client, 'deliveries');
      await waitFor(async () => (await table()).deadRows >= 300, 'dead rows reported', 30_000);

      // Another process holds the lock: this one skips.
      await client.query('SELECT pg_advisory_lock($1)', [VACUUM_LOCK]);
      await store.vacuum();
      assert.equal((await table()).vacuumed, 0);
      await client.query('SELECT pg_advisory_unlock($1)', [VACUUM_LOCK]);

      await store.vacuum();
      const after = await table();
      assert.equal(after.vacuumed, 1);
      assert.equal(after.deadRows, 0);
      await store.vacuum();
      assert.equal((await table()).vacuumed, 1, 'no dead rows since: not vacuumed again');
    } finally {
      await client.end();
      await store.close();
    }
  });

  it("shares an app's API rate limit among processes: one bucket in the database", async () => {
    const db = await freshDatabase();
    const stores = [new PostgresStore(db.url, { poolSize: 2 }), new PostgresStore(db.url, { poolSize: 2 })];
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const { app } = await seed(stores[0]!, []);
      const limits = stores.map((s) => new AppRateLimit(3, Date.now, (a, rate, wanted) => s.takeAppRateTokens(a, rate, wanted)));
      const started = Date.now();
      let admitted = 0;
      for (let i = 0; i < 8; i++) {
        try {
          await limits[i % 2]!.admit(app.id); // the processes take turns, as behind a load balancer
          admitted += 1;
        } catch (error) {
          assert.equal((error as HttpError).code, 'rate_limited');
        }
      }
      // 3 a second in all, not 3 each: the bucket starts full and refills while the loop runs.
      const refilled = Math.floor(((Date.now() - started) * 3) / 1000);
      assert.ok(admitted >= 3 && admitted <= 3 + refilled, `${admitted} admitted in ${Date.now() - started} ms`);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('fails fast with StoreUnavailableError when the database cannot be reached', async () => {
    const store = new PostgresStore('postgres://postgres@127.0.0.1:9/nowhere', { connectTimeoutMs: 1000 });
    try {
      const started = Date.now();
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(store.findApp('app_x'), StoreUnavailableError);
      await assert.rejects(
        store.enqueueMessage({
          message: { id: newId('msg', T0), appId: 'app_x', eventType: 'a', eventId: null, payload: '{}', timestamp: T0 },
          leaseTo: null,
          newDeliveryId: () => newId('dlv', T0),
        }),
        StoreUnavailableError,
      );
      assert.ok(Date.now() - started < 5_000, 'no hang');
    } finally {
      await store.close();
    }
  });
});

/** What the statistics system says of one of hookline's tables (backends report within seconds of a commit). */
async function tableStats(client: pg.Client, name: string) {
  const { rows } = await client.query(
    `SELECT n_live_tup, n_dead_tup, vacuum_count, analyze_count + autoanalyze_count AS analyzed
     FROM pg_stat_user_tables WHERE schemaname = 'hookline' AND relname = $1`,
    [name],
  );
  const row = rows[0] as Record<string, string>;
  return {
    liveRows: Number(row.n_live_tup),
    deadRows: Number(row.n_dead_tup),
    vacuumed: Number(row.vacuum_count),
    analyzed: Number(row.analyzed),
  };
}

