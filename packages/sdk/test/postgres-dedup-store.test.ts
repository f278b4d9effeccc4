import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { dedupSql, PostgresDedupStore } from '../src/index.js';
import { dedupStoreConformance } from './dedup-conformance.js';

// HOOKLINE_TEST_PG set: PostgreSQL is required and the suite must run. Unset: run if reachable.
const required = Boolean(process.env.HOOKLINE_TEST_PG);
const url = process.env.HOOKLINE_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 3000 });
let skip: string | false = false;
try {
  await pool.query('SELECT 1');
} catch (error) {
  if (required)
    throw new Error(`HOOKLINE_TEST_PG is set but PostgreSQL is unreachable: ${(error as Error).message}`, {
      cause: error,
    });
  skip = `PostgreSQL not reachable at ${url} (${(error as Error).message}); set HOOKLINE_TEST_PG to require it`;
  console.log(`skipping PostgresDedupStore: ${skip}`);
  await pool.end();
}

describe('PostgresDedupStore (real PostgreSQL)', { skip }, () => {
  const table = `hookline_dedup_test_${randomBytes(4).toString('hex')}`;
  const store = new PostgresDedupStore(pool, { table });

  before(async () => {
    await store.ensureTable();
  });

  after(async () => {
    await pool.query(dedupSql.dropTable(table));
    await pool.end();
  });

  dedupStoreConformance(() => store);

  test('ensureTable is idempotent and creates the expiry index', async () => {
    await store.ensureTable();
    const { rows } = await pool.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE tablename = $1',
      [table],
    );
    assert.ok(
      rows.some((row) => row.indexname === `${table}_expires_at_idx`),
      JSON.stringify(rows),
    );
  });

  test('purgeExpired deletes expired rows only, up to its limit', async () => {
    await pool.query(`DELETE FROM ${table}`);
    await pool.query(
      `INSERT INTO ${table} (id, state, expires_at)
       SELECT 'old_' || g, 'done', now() - interval '1 minute' FROM generate_series(1, 5) g`,
    );
    await store.complete('fresh', 60);
    assert.equal(await store.purgeExpired(3), 3);
    assert.equal(await store.purgeExpired(), 2);
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${table}`);
    assert.deepEqual(
      rows.map((row) => row.id),
      ['fresh'],
    );
  });

  test('works on a single pg.Client too', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const onClient = new PostgresDedupStore(client, { table });
      assert.equal(await onClient.claim('client_id', 60), 'new');
      assert.equal(await store.claim('client_id', 60), 'in_progress');
    } finally {
      await client.end();
    }
  });

  test('a schema-qualified table name works; an unsafe one is refused', async () => {
    const qualified = new PostgresDedupStore(pool, { table: `public.${table}` });
    assert.equal(await qualified.claim('qualified_id', 60), 'new');
    assert.equal(await store.claim('qualified_id', 60), 'in_progress');
    assert.throws(() => new PostgresDedupStore(pool, { table: 'dedup; DROP TABLE x' }), TypeError);
    assert.throws(() => new PostgresDedupStore(pool, { table: 'Dedup' }), TypeError);
  });
});
