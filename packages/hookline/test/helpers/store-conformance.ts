import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DeliveryStore } from '../../src/store/port.js';
import { manageConformance } from './store-conformance-manage.js';
import { enqueue, outcome, seed, T0 } from './store-fixtures.js';

/**
 * The store port's behaviour, the same for every backend: `open` gives a fresh, migrated store.
 * Times are explicit, so leases and due times are tested without waiting. The management API's methods
 * are in store-conformance-manage.ts, run from here.
 */
export function storeConformance(open: () => Promise<DeliveryStore>): void {
  it('enqueues one delivery per matching enabled endpoint and deduplicates eventId', async () => {
    const store = await open();
    try {
      const { app } = await seed(store, [
        { eventTypes: [] },
        { eventTypes: ['a'] },
        { eventTypes: ['b'] },
        { eventTypes: [], disabled: true },
      ]);
      const first = await enqueue(store, app.id, 'a', 'evt-1');
      const again = await enqueue(store, app.id, 'a', 'evt-1');
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.equal(again.message.id, first.message.id);
      const claimed = await store.claimDueDeliveries('w1', T0, 100, T0 + 30_000);
      assert.equal(claimed.length, 2);
      assert.equal((await store.deliveryStats({ appId: app.id, since: null })).count, 2);
    } finally {
      await store.close();
    }
  });

  it('refuses a message for an app that no longer exists: null, nothing stored', async () => {
    const store = await open();
    try {
      const { app } = await seed(store, [{ eventTypes: [] }]);
      await store.deleteApp(app.id, T0);
      const message = (eventId: string | null, n: number) => ({
        message: { id: `msg_gone${n}`, appId: app.id, eventType: 'a', eventId, payload: '{}', timestamp: T0 },
        leaseTo: null,
        newDeliveryId: () => `dlv_gone${n}`,
      });
      const results = await Promise.all([
        store.enqueueMessage(message(null, 1)),
        store.enqueueMessage(message('evt-1', 2)),
        store.enqueueMessage(message('evt-1', 3)),
      ]);
      assert.deepEqual(results, [null, null, null]);
      assert.equal(await store.getMessage(app.id, 'msg_gone1'), null);
      assert.deepEqual(await store.claimDueDeliveries('w1', T0, 10, T0 + 30_000), []);
    } finally {
      await store.close();
    }
  });

  it('fences every write by the lease: an expired lease is taken over and the old result dropped', async () => {
    const store = await open();
    try {
      const { app } = await seed(store, [{ eventTypes: [] }]);
      await enqueue(store, app.id, 'a');
      const [mine] = await store.claimDueDeliveries('w1', T0, 10, T0 + 30_000);
      assert.ok(mine);
      assert.deepEqual(
        await store.claimDueDeliveries('w2', T0 + 1_000, 10, T0 + 31_000),
        [],
        'leased rows are not claimable',
      );
      const [taken] = await store.claimDueDeliveries('w2', T0 + 30_001, 10, T0 + 60_000);
      assert.equal(taken?.deliveryId, mine.deliveryId);
      const lost = await store.recordAttempts('w1', [outcome(mine, { kind: 'succeeded' }, T0 + 30_002)]);
      assert.deepEqual(lost.leaseLost, [mine.deliveryId]);
      assert.deepEqual(lost.applied, []);
      const won = await store.recordAttempts('w2', [outcome(taken!, { kind: 'succeeded' }, T0 + 30_003)]);
      assert.deepEqual(won.applied, [mine.deliveryId]);
      const attempts = await store.listAttempts(app.id, mine.messageId, { limit: 10 });
      assert.equal(attempts.data.length, 1, 'the dropped result left no attempt');
      const stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.count, stats.succeeded, stats.pending], [1, 1, 0]);
    } finally {
      await store.close();
    }
  });

  it('reschedules retries, reports the next due time, and releases leases for the next worker', async () => {
    const store = await open();
    try {
      const { app } = await seed(store, [{ eventTypes: [] }]);
      const leased = await enqueue(store, app.id, 'a', null, { workerId: 'w1', until: T0 + 30_000 });
      assert.equal(leased.leased.length, 1);
      const d = leased.leased[0]!;
      await store.recordAttempts('w1', [outcome(d, { kind: 'retry', at: T0 + 5_000 }, T0 + 10)]);
      assert.equal(await store.nextDueAt(T0), T0 + 5_000);
      assert.equal(await store.nextDueAt(T0 + 5_000), null, 'only due times after the one given');
      assert.deepEqual(await store.claimDueDeliveries('w1', T0 + 4_999, 10, T0 + 40_000), []);
      const [retry] = await store.claimDueDeliveries('w1', T0 + 5_000, 10, T0 + 40_000);
      assert.equal(retry?.attemptsMade, 1);
      await store.releaseLeases('w1', [retry!.deliveryId]);
      const [again] = await store.claimDueDeliveries('w2', Date.now(), 10, Date.now() + 30_000);
      assert.equal(again?.deliveryId, d.deliveryId);
      assert.equal(again?.rateLimit, null);
      assert.equal(await store.queueDepth(), 1);
      // Given back due later (an endpoint's rate limit): not before then, no attempt counted, not by another's lease.
      const later = Date.now() + 60_000;
      await store.releaseLeases('w1', [again!.deliveryId], later); // w2 holds it: nothing happens
      await store.releaseLeases('w2', [again!.deliveryId], later);
      assert.equal(await store.nextDueAt(Date.now()), later);
      assert.deepEqual(await store.claimDueDeliveries('w3', later - 1, 10, later + 30_000), []);
      const [postponed] = await store.claimDueDeliveries('w3', later, 10, later + 30_000);
      assert.equal(postponed?.deliveryId, d.deliveryId);
      assert.equal(postponed?.attemptsMade, 1);
    } finally {
      await store.close();
    }
  });

  it('does not claim deliveries of a disabled endpoint until it is re-enabled', async () => {
    const store = await open();
    try {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      await enqueue(store, app.id, 'a');
      await store.updateEndpoint(app.id, eps[0]!.id, { disabled: true, updatedAt: T0 });
      assert.deepEqual(await store.claimDueDeliveries('w1', T0 + 1, 10, T0 + 30_000), []);
      await store.updateEndpoint(app.id, eps[0]!.id, { disabled: false, updatedAt: T0 + 2 });
      assert.equal((await store.claimDueDeliveries('w1', T0 + 3, 10, T0 + 30_000)).length, 1);
    } finally {
      await store.close();
    }
  });

  it('settles concurrent enqueues after their commit, deduplicating an eventId repeated among them', async () => {
    const store = await open();
    try {
      const { app } = await seed(store, [{ eventTypes: [] }]);
      const results = await Promise.all([
        ...Array.from({ length: 20 }, () => enqueue(store, app.id, 'a')),
        enqueue(store, app.id, 'a', 'same'),
        enqueue(store, app.id, 'a', 'same'),
      ]);
      assert.equal(new Set(results.map((r) => r.message.id)).size, 21);
      const [first, second] = results.slice(20);
      assert.deepEqual([first!.created, second!.created], [true, false]);
      assert.equal(second!.message.id, first!.message.id);
      assert.equal(await store.queueDepth(), 21);
      for (const r of results) assert.ok(await store.getMessage(app.id, r.message.id), 'readable once settled');
      const claimed = await store.claimDueDeliveries('w1', T0, 100, T0 + 30_000);
      assert.equal(claimed.length, 21);
    } finally {
      await store.close();
    }
  });

  it('disables an endpoint on a 410 outcome, parks its other deliveries, and fails only that delivery', async () => {
    const store = await open();
    try {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      await enqueue(store, app.id, 'a');
      await enqueue(store, app.id, 'a');
      const [gone] = await store.claimDueDeliveries('w1', T0, 1, T0 + 30_000);
      assert.ok(gone);
      const result = await store.recordAttempts('w1', [
        { ...outcome(gone, { kind: 'failed' }, T0 + 5), disableEndpoint: true },
      ]);
      assert.deepEqual(result.disabledEndpoints, [eps[0]!.id]);
      assert.equal((await store.getEndpoint(app.id, eps[0]!.id))?.disabled, true);
      assert.deepEqual(await store.claimDueDeliveries('w2', Date.now() + 1, 10, Date.now() + 30_000), []);
      const stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.failed, stats.pending], [1, 1]);
    } finally {
      await store.close();
    }
  });

  it('retention gives up a delivery left due on a disabled endpoint (a resend asked for during a successful attempt)', async () => {
    const store = await open();
    try {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      const sent = await enqueue(store, app.id, 'a');
      const [d] = await store.claimDueDeliveries('w1', T0, 1, T0 + 30_000);
      assert.ok(d);
      await store.resendMessage(app.id, sent.message.id, null, T0 + 1); // while the attempt runs
      await store.updateEndpoint(app.id, eps[0]!.id, { disabled: true, updatedAt: T0 + 2 });
      const recorded = await store.recordAttempts('w1', [outcome(d, { kind: 'succeeded' }, T0 + 3)]);
      assert.deepEqual(recorded.resent, [d.deliveryId], 'due again for the resend, on a disabled endpoint');
      const far = T0 + 86_400_000;
      const purged = await store.purgeExpired(far, 1_000, far);
      assert.deepEqual([purged.expiredDeliveries, purged.messages], [1, 1]);
    } finally {
      await store.close();
    }
  });

  it('a 410 written together with new messages to its endpoint leaves none of them due: all wait, parked', async () => {
    const store = await open();
    try {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      await enqueue(store, app.id, 'a', 'e0');
      const [gone] = await store.claimDueDeliveries('w1', T0, 1, T0 + 30_000);
      assert.ok(gone);
      // In one turn, so in one write unit where the store batches: a repeated eventId (a client's retry), a
      // new message, and the 410 that disables the endpoint (PostgreSQL once ran these side by side).
      await Promise.all([
        enqueue(store, app.id, 'a', 'e0'),
        enqueue(store, app.id, 'a', 'e1'),
        store.recordAttempts('w1', [{ ...outcome(gone, { kind: 'failed' }, T0 + 5), disableEndpoint: true }]),
      ]);
      assert.equal((await store.getEndpoint(app.id, eps[0]!.id))?.disabled, true);
      // Parked, the new delivery is given up by retention like every delivery waiting on a disabled endpoint.
      const far = T0 + 86_400_000;
      const purged = await store.purgeExpired(far, 1_000, far);
      assert.deepEqual([purged.expiredDeliveries, purged.messages], [1, 2], 'a due one would be owed, never expired');
    } finally {
      await store.close();
    }
  });

  it('gives up the delivery whose failure auto-disables its endpoint, and says so (givenUp)', async () => {
    const store = await open();
    try {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      await enqueue(store, app.id, 'a');
      await enqueue(store, app.id, 'a');
      const [first, second] = await store.claimDueDeliveries('w1', T0, 2, T0 + 30_000);
      // The endpoint has been failing since its first failure; the window (here: anything before now) is over.
      const retry = { kind: 'retry' as const, at: T0 + 60_000 };
      await store.recordAttempts('w1', [outcome(first!, retry, T0 + 5)]);
      const result = await store.recordAttempts('w1', [
        { ...outcome(second!, retry, T0 + 10), disableIfFailingSince: T0 + 9 },
      ]);
      assert.deepEqual(result.disabledEndpoints, [eps[0]!.id]);
      assert.deepEqual(result.givenUp, [second!.deliveryId]);
      const stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.failed, stats.pending], [1, 1], 'the other one waits, parked');
    } finally {
      await store.close();
    }
  });

  manageConformance(open);
}
