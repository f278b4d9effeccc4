import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPool, type PgPool, type PgQueryable } from '../src/store/postgres/driver.js';
import { type UnitHooks, WriteBatcher } from '../src/store/postgres/write-batcher.js';
import { createTestDatabase, skipWithoutPg, type TestDatabase } from './helpers/postgres.js';

/**
 * The group commit's transaction on pipelined connections: BEGIN goes out with the unit's first statement and
 * COMMIT right behind its last, so these check that a failure anywhere in the unit still commits nothing.
 */
describe('PostgreSQL group commit (pipelined BEGIN and COMMIT)', { skip: skipWithoutPg }, () => {
  let db: TestDatabase;
  let pool: PgPool;

  before(async () => {
    db = await createTestDatabase('hookline_batcher');
    pool = createPool(db.url, { max: 2, connectTimeoutMs: 5_000, queryTimeoutMs: 10_000, onIdleError: () => {} });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY, note text NOT NULL)');
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** A batcher whose beforeCommit runs `last` (the stats deltas' place), if given. */
  function batcher(last?: (tx: PgQueryable) => Promise<void>): WriteBatcher {
    const hooks: UnitHooks = { batchDone: () => {}, rolledBack: () => {}, beforeCommit: last ?? (async () => {}) };
    return new WriteBatcher(pool, hooks);
  }

  const insert = (ids: number[]) => (tx: PgQueryable, notes: string[]) =>
    Promise.all(notes.map((note, i) => tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [ids[i], note]))).then(
      (results) => results.map((r) => r.rowCount),
    );

  const stored = async (ids: number[]) =>
    (await pool.query<{ id: number }>('SELECT id FROM items WHERE id = ANY($1) ORDER BY id', [ids])).rows.map((r) => r.id);

  it('commits every job of a unit together', async () => {
    const writes = batcher();
    const results = await Promise.all([
      writes.batch('insert', 'a', insert([1, 2])),
      writes.batch('insert', 'b', insert([1, 2])),
    ]);
    assert.deepEqual(results, [1, 1]);
    assert.deepEqual(await stored([1, 2]), [1, 2]);
    await writes.close();
  });

  it('commits nothing when the statement sent with COMMIT fails, and says why', async () => {
    const writes = batcher(async (tx) => {
      await tx.query('SELECT 1 / $1::int', [0]);
    });
    await assert.rejects(writes.batch('insert', 'c', insert([10])), /division by zero/);
    assert.deepEqual(await stored([10]), []);
    await writes.close();
  });

  it('commits nothing when a later statement of the unit fails after the first succeeded', async () => {
    const writes = batcher();
    const [first, second] = await Promise.allSettled([
      writes.batch('insert', 'd', insert([20])),
      writes.single(async (tx) => tx.query('INSERT INTO no_such_table (id) VALUES ($1)', [21])),
    ]);
    assert.equal(first.status, 'rejected');
    assert.equal(second.status, 'rejected');
    assert.match(String((second as PromiseRejectedResult).reason), /no_such_table/);
    assert.deepEqual(await stored([20, 21]), []);
    // The connection is clean again: the next unit commits.
    assert.deepEqual(await writes.batch('insert', 'e', insert([22])), 1);
    assert.deepEqual(await stored([20, 21, 22]), [22]);
    await writes.close();
  });

  it('commits a statement sent without waiting with its unit, and nothing when it fails, naming its error', async () => {
    const writes = batcher();
    const sendAll = (ids: number[]) => async (tx: PgQueryable, notes: string[]) => {
      for (const id of ids) tx.send!('INSERT INTO items (id, note) VALUES ($1, $2)', [id, notes[0]]);
      return notes.map(() => 1);
    };
    assert.deepEqual(await writes.batch('send', 'i', sendAll([40])), 1);
    assert.deepEqual(await stored([40]), [40]);
    // A second row with id 40: the unit fails at COMMIT with the insert's own error, and the first of the
    // unit (41) is not kept.
    await assert.rejects(writes.batch('send', 'j', sendAll([41, 40])), /duplicate key/);
    assert.deepEqual(await stored([40, 41]), [40]);
    await writes.close();
  });

  it("reports a sent statement's own error, not the 'transaction is aborted' of a statement behind it", async () => {
    const writes = batcher();
    await writes.batch('send', 'o', async (tx, notes) => {
      tx.send!('INSERT INTO items (id, note) VALUES ($1, $2)', [70, notes[0]]);
      return notes.map(() => 1);
    });
    // Two jobs in one unit; q's sent insert collides, and a statement follows it (it hears 25P02). The
    // collision is a refused value: the unit runs each job alone, and only q fails, with its own error.
    const sendThenQuery = async (tx: PgQueryable, notes: string[]) => {
      for (const note of notes) tx.send!('INSERT INTO items (id, note) VALUES ($1, $2)', [note === 'q' ? 70 : 71, note]);
      await tx.query('SELECT 1');
      return notes.map(() => 1);
    };
    const [p, q] = await Promise.allSettled([
      writes.batch('send-query', 'p', sendThenQuery),
      writes.batch('send-query', 'q', sendThenQuery),
    ]);
    assert.equal(p.status, 'fulfilled');
    assert.equal(q.status, 'rejected');
    assert.match(String((q as PromiseRejectedResult).reason), /duplicate key/);
    assert.deepEqual(await stored([70, 71]), [70, 71]);
    await writes.close();
  });

  it('runs batches marked together in one transaction; if one fails, the other commits nothing, even later statements', async () => {
    const writes = batcher();
    // Two statements each, the second sent only after the first answered: the statements interleave.
    const twoSteps = (first: number, second: number) => async (tx: PgQueryable, notes: string[]) => {
      await tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [first, notes[0]]);
      await tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [second, notes[0]]);
      return notes.map(() => 1);
    };
    const ok = await Promise.all([
      writes.batch('a', 'k', twoSteps(50, 51), { together: true }),
      writes.batch('b', 'l', twoSteps(52, 53), { together: true }),
    ]);
    assert.deepEqual(ok, [1, 1]);
    assert.deepEqual(await stored([50, 51, 52, 53]), [50, 51, 52, 53]);
    // b's second statement fails: a's second statement, sent after that, must not run (and commit) on its
    // own after the ROLLBACK; the error both hear is b's, not the 'transaction is aborted' a got.
    let bFailed!: () => void;
    const afterB = new Promise<void>((resolve) => (bFailed = resolve));
    const late = async (tx: PgQueryable, notes: string[]) => {
      await afterB;
      await new Promise((resolve) => setImmediate(resolve)); // past the unit's own reaction to b's failure
      await tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [60, notes[0]]);
      return notes.map(() => 1);
    };
    const broken = async (tx: PgQueryable, notes: string[]) => {
      await tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [61, notes[0]]);
      try {
        await tx.query('INSERT INTO no_such_table (id) VALUES ($1)', [62]);
      } finally {
        bFailed();
      }
      return notes.map(() => 1);
    };
    const failed = await Promise.allSettled([
      writes.batch('a', 'm', late, { together: true }),
      writes.batch('b', 'n', broken, { together: true }),
    ]);
    assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
    for (const r of failed) assert.match(String((r as PromiseRejectedResult).reason), /no_such_table/);
    assert.deepEqual(await stored([60, 61]), []);
    await writes.close();
  });

  it('fails only the job whose value the database refuses; the others of its unit commit', async () => {
    const writes = batcher();
    // Each note keeps its own id however the jobs are grouped into units.
    const ids: Record<string, number> = { f: 30, 'nul\u0000': 31, g: 32 };
    const byNote = (tx: PgQueryable, notes: string[]) =>
      Promise.all(notes.map((note) => tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [ids[note], note]))).then(
        (results) => results.map((r) => r.rowCount),
      );
    const results = await Promise.allSettled([
      writes.batch('insert', 'f', byNote),
      writes.batch('insert', 'nul\u0000', byNote), // text cannot hold U+0000 (22021)
      writes.batch('insert', 'g', byNote),
      writes.single(async (tx) => (await tx.query('INSERT INTO items (id, note) VALUES ($1, $2)', [33, 'h'])).rowCount),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(await stored([30, 31, 32, 33]), [30, 32, 33]);
    await writes.close();
  });
});
