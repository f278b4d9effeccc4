import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { ConflictError, StoreUnavailableError } from '../src/store/errors.js';
import { InvalidIteratorError } from '../src/store/paging.js';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { forwardStore, SqliteHost } from '../src/store/sqlite/store-host.js';
import { reviveStoreError } from '../src/store/sqlite/thread-protocol.js';
import type { DeliveryStore } from '../src/store/port.js';
import { newId } from '../src/core/ids.js';
import { rpcClient } from '../src/threads/rpc.js';
import type { ClaimedDelivery } from '../src/store/types.js';
import { storeConformance } from './helpers/store-conformance.js';
import { enqueue, seed, T0 } from './helpers/store-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('SQLite store conformance', () => {
  storeConformance(async () => {
    const store = new SqliteStore(join(dir, `store-${n++}.db`));
    await store.migrate();
    return store;
  });
});

// What the delivery thread holds: the same store, every call crossing a port to the host.
describe('SQLite store conformance, over the delivery thread\'s port', () => {
  storeConformance(async () => overPort(join(dir, `port-${n++}.db`)));
});

/** The store as the delivery thread calls it: a SqliteHost serving a port, a forwarding client on the other end. */
async function overPort(file: string): Promise<DeliveryStore> {
  const host = new SqliteHost(file);
  await host.migrate();
  const { port1, port2 } = new MessageChannel();
  host.attachDelivery(port1, 'delivery-1', 30_000);
  const client = rpcClient(port2, { revive: reviveStoreError });
  return forwardStore(client.call, host.capabilities, {
    async close() {
      port2.close();
      await host.close();
    },
  });
}

describe('SQLite file', () => {
  it('is created readable by its owner only, with its WAL: it holds the signing secrets', async () => {
    const file = join(dir, `private-${n++}.db`);
    const store = new SqliteStore(file);
    try {
      await store.migrate();
      await seed(store, [{ eventTypes: [] }]); // a write, so the WAL exists
      for (const path of [file, `${file}-wal`]) assert.equal(statSync(path).mode & 0o777, 0o600, path);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite migrations', () => {
  it('migration 7 marks the deliveries a resend added before migration 6, and only those', async () => {
    const file = join(dir, `backfill-${n++}.db`);
    const store = new SqliteStore(file);
    await store.migrate();
    const { app, eps } = await seed(store, [{ eventTypes: ['a'] }, { eventTypes: ['b'] }]);
    const sent = await enqueue(store, app.id, 'a');
    assert.equal((await store.resendMessage(app.id, sent.message.id, eps[1]!.id, T0 + 2_000)).queued, 1);
    await store.close();
    // As an upgrade from before migration 6 finds them: no row marked.
    const raw = new Database(file);
    raw.exec('UPDATE deliveries SET added_by_resend = 0; DELETE FROM schema_migrations WHERE version = 7');
    raw.close();
    const upgraded = new SqliteStore(file);
    await upgraded.migrate();
    await upgraded.close();
    const check = new Database(file);
    const rows = check.prepare('SELECT endpoint_id, added_by_resend FROM deliveries ORDER BY added_by_resend').all();
    check.close();
    assert.deepEqual(rows, [
      { endpoint_id: eps[0]!.id, added_by_resend: 0 },
      { endpoint_id: eps[1]!.id, added_by_resend: 1 },
    ]);
  });

  it('refuses a file a newer hookline migrated (a downgrade), changing nothing in it', async () => {
    const file = join(dir, `newer-${n++}.db`);
    const first = new SqliteStore(file);
    await first.migrate();
    await first.close();
    const raw = new Database(file);
    const next = SQLITE_MIGRATIONS.at(-1)!.version + 1;
    raw.prepare(`INSERT INTO schema_migrations (version, name) VALUES (?, 'from the future')`).run(next);
    raw.close();
    const older = new SqliteStore(file);
    try {
      await assert.rejects(
        older.migrate(),
        new RegExp(`migrated by a newer hookline \\(schema version ${next}; this version knows up to ${next - 1}\\)`),
      );
    } finally {
      await older.close();
    }
  });
});

describe('SQLite group commit', () => {
  it('a hot-path write that throws fails alone: its batch runs again with every job isolated', async () => {
    const store = new SqliteStore(join(dir, `hot-${n++}.db`));
    try {
      await store.migrate();
      const { app } = await seed(store, [{ eventTypes: [] }]);
      const taken = (await enqueue(store, app.id, 'a')).message.id;
      const input = (id: string) => ({
        message: { id, appId: app.id, eventType: 'a', eventId: null, payload: '{}', timestamp: T0 },
        leaseTo: null,
        newDeliveryId: () => newId('dlv', T0),
      });
      // Three enqueues in one transaction; the middle one reuses a stored message id and must throw.
      const [before, clash, later] = await Promise.allSettled([
        store.enqueueMessage(input(newId('msg', T0))),
        store.enqueueMessage(input(taken)),
        store.enqueueMessage(input(newId('msg', T0))),
      ]);
      assert.equal(before.status, 'fulfilled');
      assert.equal(clash.status, 'rejected');
      assert.equal(later.status, 'fulfilled');
      // Stored exactly once each, counted once each: nothing of the first, rolled-back run remains.
      assert.equal((await store.claimDueDeliveries('w1', T0, 100, T0 + 30_000)).length, 3);
      assert.equal((await store.deliveryStats({ appId: app.id, since: null })).count, 3);
    } finally {
      await store.close();
    }
  });

  it('ping reports a refused write (a full disk) for 30 s or until a commit of 16 writes, while small writes and reads still work', async (t) => {
    const store = new SqliteStore(join(dir, `full-${n++}.db`));
    // The file cannot grow past its current pages: SQLITE_FULL, as on a full disk (reads keep working).
    const db = (store as unknown as { db: { pragma(text: string, options?: object): unknown } }).db;
    try {
      await store.migrate();
      const { app } = await seed(store, [{ eventTypes: [] }]);
      await store.ping();
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      const big = (i: number) => ({
        message: { id: newId('msg', T0), appId: app.id, eventType: 'a', eventId: null, payload: 'x'.repeat(64_000), timestamp: T0 + i },
        leaseTo: null,
        newDeliveryId: () => newId('dlv', T0),
      });
      await assert.rejects(store.enqueueMessage(big(0)), /SQLITE_FULL/);
      assert.equal(await store.putSettingIfAbsent('small', 'fits'), 'fits'); // a small write still fits
      await assert.rejects(store.ping(), (error: Error) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /^a write failed 0 s ago: .*SQLITE_FULL/);
        return true;
      });
      db.pragma('max_page_count = 1073741823'); // space again
      await store.enqueueMessage(big(1));
      await assert.rejects(store.ping(), StoreUnavailableError, 'one write alone does not show the disk has room');
      const now = Date.now();
      t.mock.method(Date, 'now', () => now + 30_000);
      await store.ping();
      t.mock.restoreAll();
      await assert.rejects(store.ping(), StoreUnavailableError);
      await Promise.all(Array.from({ length: 16 }, (_, i) => store.enqueueMessage(big(2 + i)))); // one commit
      await store.ping();
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store over a port', () => {
  it('passes typed errors across the thread', async () => {
    const store = await overPort(join(dir, `errors-${n++}.db`));
    try {
      await store.createApp({ id: 'app_01', name: 'a', uid: 'same', createdAt: 1 });
      await assert.rejects(store.createApp({ id: 'app_02', name: 'b', uid: 'same', createdAt: 2 }), ConflictError);
      await assert.rejects(store.listApps({ limit: 10, iterator: 'not-an-iterator' }), InvalidIteratorError);
    } finally {
      await store.close();
    }
  });

  it('fails only the call whose argument cannot be cloned', async () => {
    const store = await overPort(join(dir, `clone-${n++}.db`));
    try {
      const bad = store.getSetting((() => 'x') as unknown as string);
      const good = store.putSettingIfAbsent('k', 'v');
      await assert.rejects(bad, /could not be cloned/);
      assert.equal(await good, 'v');
    } finally {
      await store.close();
    }
  });
});

describe('SQLite host, handing fresh deliveries to the delivery thread', () => {
  it('leases them to it in the commit and sends them over its port; with no room they wait unleased', async () => {
    const store = new SqliteHost(join(dir, `handoff-${n++}.db`));
    const { port1, port2 } = new MessageChannel();
    try {
      await store.migrate();
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      const events: Array<{ event: string; value: unknown }> = [];
      let heard: () => void = () => undefined;
      const delivery = rpcClient(port2, {
        onEvent: (event, value) => {
          events.push({ event, value });
          heard();
        },
      });
      const next = () => new Promise<void>((resolve) => (heard = resolve));
      store.attachDelivery(port1, 'delivery-1', 30_000);
      const fresh = (id: string) => ({
        message: { id, appId: app.id, eventType: 'order.paid', eventId: null, payload: '{"n":1}', timestamp: T0 },
        newDeliveryId: () => newId('dlv', T0),
      });

      const handed = next();
      const accepted = await store.enqueueForDelivery(fresh(newId('msg', T0)));
      assert.equal(accepted?.created, true);
      await handed;
      assert.equal(events[0]!.event, 'accept');
      const [leased] = events[0]!.value as ClaimedDelivery[];
      assert.equal(leased!.endpointId, eps[0]!.id);
      assert.equal(leased!.payload, '{"n":1}');
      // Leased to the delivery thread: nobody else can claim it.
      assert.deepEqual(await store.claimDueDeliveries('other', T0 + 1, 10, T0 + 60_000), []);

      await delivery.call('setDeliveryRoom', [false]);
      const woken = next();
      const second = newId('msg', T0);
      await store.enqueueForDelivery(fresh(second));
      await woken;
      assert.equal(events[1]!.event, 'wake');
      const claimed = await store.claimDueDeliveries('other', T0 + 1, 10, T0 + 60_000);
      assert.deepEqual(
        claimed.map((d) => d.messageId),
        [second],
      );
    } finally {
      port2.close();
      await store.close();
    }
  });
});
