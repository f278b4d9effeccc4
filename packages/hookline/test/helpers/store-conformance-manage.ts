import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { newId } from '../../src/core/ids.js';
import { ConflictError } from '../../src/store/errors.js';
import type { DeliveryStore } from '../../src/store/port.js';
import { enqueue, outcome, SECRET, seed, T0 } from './store-fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NEW_SECRET = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3';

/** The management API's store methods, the same for every backend (run by storeConformance). */
export function manageConformance(open: () => Promise<DeliveryStore>): void {
  const withStore = (test: (store: DeliveryStore) => Promise<void>) => async () => {
    const store = await open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  };

  it(
    'registers, pages, updates and archives event types; a name is taken once',
    withStore(async (store) => {
      const schema = { type: 'object', required: ['id'] };
      for (const [i, name] of ['a.one', 'a.two', 'a.three'].entries()) {
        await store.createEventType({
          id: newId('et', T0 + i),
          name,
          description: `type ${i}`,
          schema: i === 0 ? schema : null,
          createdAt: T0 + i,
        });
      }
      await assert.rejects(
        store.createEventType({ id: newId('et', T0), name: 'a.one', description: '', schema: null, createdAt: T0 }),
        ConflictError,
      );
      const one = await store.getEventType('a.one');
      assert.deepEqual([one?.schema, one?.archived, one?.description], [schema, false, 'type 0']);
      assert.equal(await store.getEventType('nope'), null);

      const archived = await store.updateEventType('a.two', { archived: true, updatedAt: T0 + 10 });
      assert.equal(archived?.archived, true);
      assert.equal(archived?.updatedAt, T0 + 10);
      const cleared = await store.updateEventType('a.one', { schema: null, updatedAt: T0 + 11 });
      assert.deepEqual([cleared?.schema, cleared?.description], [null, 'type 0']);
      assert.equal(await store.updateEventType('nope', { archived: true, updatedAt: T0 }), null);

      const live = await store.listEventTypes({ includeArchived: false }, { limit: 10 });
      assert.deepEqual(
        live.data.map((e) => e.name),
        ['a.three', 'a.one'],
      );
      const first = await store.listEventTypes({ includeArchived: true }, { limit: 2 });
      assert.deepEqual([first.data.map((e) => e.name), first.done], [['a.three', 'a.two'], false]);
      const second = await store.listEventTypes({ includeArchived: true }, { limit: 2, iterator: first.iterator });
      assert.deepEqual([second.data.map((e) => e.name), second.done, second.iterator], [['a.one'], true, null]);
    }),
  );

  it(
    'lists messages newest first, by type and time window, ties ordered by id, across pages',
    withStore(async (store) => {
      const { app } = await seed(store, []);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        // Two messages per timestamp: equal timestamps must page by id without loss or repeats.
        const at = T0 + Math.floor(i / 2) * 1000;
        ids.push((await enqueue(store, app.id, i % 2 ? 'odd' : 'even', null, null, at)).message.id);
      }
      const all: string[] = [];
      let iterator: string | null = null;
      do {
        const page = await store.listMessages(app.id, {}, { limit: 4, iterator });
        all.push(...page.data.map((m) => m.id));
        assert.ok(page.data.every((m) => !('payload' in m)), 'lists carry no payload');
        iterator = page.iterator;
        assert.equal(page.done, iterator === null);
      } while (iterator);
      const byTimeThenId = [...ids].sort((a, b) => {
        const ta = Math.floor(ids.indexOf(a) / 2);
        const tb = Math.floor(ids.indexOf(b) / 2);
        return tb - ta || (a < b ? 1 : -1);
      });
      assert.deepEqual(all, byTimeThenId);

      const odd = await store.listMessages(app.id, { eventType: 'odd' }, { limit: 10 });
      assert.deepEqual(odd.data.map((m) => m.eventType), ['odd', 'odd', 'odd']);
      const window = await store.listMessages(app.id, { after: T0, before: T0 + 2000 }, { limit: 10 });
      assert.deepEqual(window.data.map((m) => m.timestamp), [T0 + 1000, T0 + 1000]);
      const paged = await store.listMessages(app.id, { before: T0 + 2000 }, { limit: 1 });
      const next = await store.listMessages(app.id, { before: T0 + 2000 }, { limit: 10, iterator: paged.iterator });
      assert.deepEqual(
        [...paged.data, ...next.data].map((m) => m.timestamp),
        [T0 + 1000, T0 + 1000, T0, T0],
      );
      const other = await seed(store, []);
      assert.equal((await store.listMessages(other.app.id, {}, { limit: 10 })).data.length, 0);
    }),
  );

  it(
    'rotates a secret: both sign until the overlap ends, then only the new one',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      const ep = eps[0]!;
      const rotated = await store.rotateEndpointSecret(app.id, ep.id, {
        secret: NEW_SECRET,
        now: T0,
        previousUntil: T0 + 24 * HOUR,
      });
      assert.equal(rotated?.secrets[0]?.secret, NEW_SECRET);
      assert.equal(rotated?.secrets[0]?.expiresAt, null);
      assert.deepEqual(rotated?.secrets[1], { secret: SECRET, expiresAt: T0 + 24 * HOUR });
      await enqueue(store, app.id, 'a');
      const [during] = await store.claimDueDeliveries('w', T0 + 1, 10, T0 + 30_000);
      assert.deepEqual(during?.secrets, [NEW_SECRET, SECRET]);
      await store.releaseLeases('w', [during!.deliveryId]);
      const [later] = await store.claimDueDeliveries('w', T0 + 25 * HOUR, 10, T0 + 26 * HOUR);
      assert.deepEqual(later?.secrets, [NEW_SECRET]);
      const other = await seed(store, []);
      assert.equal(
        await store.rotateEndpointSecret(other.app.id, ep.id, { secret: NEW_SECRET, now: T0, previousUntil: T0 }),
        null,
        'another app cannot rotate it',
      );
    }),
  );

  it(
    'resends a delivered message with attemptNumber going on and the stats taking it back',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: ['a'] }, { eventTypes: ['b'] }, { eventTypes: ['a'] }]);
      const sent = await enqueue(store, app.id, 'a', null, { workerId: 'w', until: T0 + 30_000 });
      assert.equal(sent.leased.length, 2);
      await store.recordAttempts(
        'w',
        sent.leased.map((d) => outcome(d, { kind: 'succeeded' }, T0 + 50)),
      );
      await store.updateEndpoint(app.id, eps[2]!.id, { disabled: true, updatedAt: T0 + 60 });

      const all = await store.resendMessage(app.id, sent.message.id, null, T0 + 1000);
      assert.equal(all.queued, 1, 'the disabled endpoint is skipped');
      let stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.count, stats.succeeded, stats.pending], [2, 1, 1]);
      const [again] = await store.claimDueDeliveries('w', T0 + 1000, 10, T0 + 40_000);
      assert.deepEqual([again?.endpointId, again?.attemptsMade, again?.scheduleStart], [eps[0]!.id, 1, 1]);
      assert.equal(
        (await store.resendMessage(app.id, sent.message.id, eps[0]!.id, T0 + 1001)).queued,
        1,
        'a delivery in flight is sent again once its attempt is recorded',
      );
      const recorded = await store.recordAttempts('w', [outcome(again!, { kind: 'succeeded' }, T0 + 1100)]);
      assert.deepEqual([recorded.applied, recorded.resent], [[again!.deliveryId], [again!.deliveryId]]);
      stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.count, stats.succeeded, stats.pending], [2, 1, 1], 'pending until the resend finishes');
      const [third] = await store.claimDueDeliveries('w', T0 + 1100, 10, T0 + 40_000);
      assert.deepEqual([third?.deliveryId, third?.attemptsMade, third?.scheduleStart], [again!.deliveryId, 2, 2]);
      const last = await store.recordAttempts('w', [outcome(third!, { kind: 'succeeded' }, T0 + 1200)]);
      assert.deepEqual(last.resent, [], 'that claim was the resend');
      const attempts = await store.listAttempts(app.id, sent.message.id, { limit: 10 });
      assert.deepEqual(attempts.data.map((a) => a.attemptNumber).sort(), [1, 1, 2, 3]);

      // To an endpoint the message never matched: a delivery of its own, counted once.
      const extra = await store.resendMessage(app.id, sent.message.id, eps[1]!.id, T0 + 2000);
      assert.equal(extra.queued, 1);
      const [fresh] = await store.claimDueDeliveries('w', T0 + 2000, 10, T0 + 40_000);
      assert.deepEqual([fresh?.endpointId, fresh?.attemptsMade, fresh?.timestamp], [eps[1]!.id, 0, T0]);
      stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.count, stats.succeeded, stats.pending], [3, 2, 1]);
      const perEndpoint = await store.deliveryStats({ appId: app.id, endpointId: eps[0]!.id, since: null });
      assert.deepEqual([perEndpoint.count, perEndpoint.succeeded, perEndpoint.successRate], [1, 1, 1]);
      assert.ok(perEndpoint.delayMs.p50 !== null && perEndpoint.delayMs.p50 > 1000, 'delay of the resent attempt');
      // A resend to every endpoint goes to those the message matched when it was created, not to that one.
      await store.recordAttempts('w', [outcome(fresh!, { kind: 'succeeded' }, T0 + 2100)]);
      assert.equal((await store.resendMessage(app.id, sent.message.id, null, T0 + 3000)).queued, 1);
      const toAll = await store.claimDueDeliveries('w', T0 + 3000, 10, T0 + 40_000);
      assert.deepEqual(
        toAll.map((d) => d.endpointId),
        [eps[0]!.id],
      );
      assert.equal((await store.resendMessage(app.id, 'msg_unknown', null, T0)).queued, 0);
    }),
  );

  it(
    'resends a delivery in flight after its attempt: due at the resend, not at its retry; a claim meanwhile is the resend',
    withStore(async (store) => {
      const { app } = await seed(store, [{ eventTypes: [] }]);
      const sent = await enqueue(store, app.id, 'a', null, { workerId: 'w', until: T0 + 30_000 });
      const [first] = sent.leased;
      assert.equal((await store.resendMessage(app.id, sent.message.id, null, T0 + 10)).queued, 1);
      const failed = await store.recordAttempts('w', [outcome(first!, { kind: 'retry', at: T0 + 60_000 }, T0 + 20)]);
      assert.deepEqual(failed.resent, [first!.deliveryId]);
      const [second] = await store.claimDueDeliveries('w', T0 + 30, 10, T0 + 40_000);
      assert.deepEqual([second?.deliveryId, second?.attemptsMade, second?.scheduleStart], [first!.deliveryId, 1, 1]);

      // Asked again while `second` is in flight, but its lease is handed back: the next claim is the resend.
      assert.equal((await store.resendMessage(app.id, sent.message.id, null, T0 + 40)).queued, 1);
      await store.releaseLeases('w', [second!.deliveryId], T0 + 50);
      const [third] = await store.claimDueDeliveries('w', T0 + 50, 10, T0 + 40_000);
      assert.equal(third?.deliveryId, first!.deliveryId);
      const done = await store.recordAttempts('w', [outcome(third!, { kind: 'succeeded' }, T0 + 60)]);
      assert.deepEqual(done.resent, []);
      const stats = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([stats.count, stats.succeeded, stats.pending], [1, 1, 0]);
    }),
  );

  it(
    'recovers failed deliveries since a time, in message order, with a fresh schedule',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: [] }, { eventTypes: [] }]);
      const ep = eps[0]!;
      const messages: Array<{ id: string }> = [];
      for (let i = 0; i < 4; i++) {
        messages.push((await enqueue(store, app.id, 'a', null, null, T0 + i * MINUTE)).message);
      }
      const claimed = await store.claimDueDeliveries('w', T0 + HOUR, 100, T0 + 2 * HOUR);
      assert.equal(claimed.length, 8);
      await store.recordAttempts(
        'w',
        claimed.map((d) =>
          outcome(
            { ...d, attemptsMade: 4 },
            d.endpointId === ep.id && d.messageId !== messages[2]!.id ? { kind: 'failed' } : { kind: 'succeeded' },
            T0 + HOUR,
          ),
        ),
      );
      let stats = await store.deliveryStats({ appId: app.id, endpointId: ep.id, since: null });
      assert.deepEqual([stats.failed, stats.succeeded], [3, 1]);

      const recovered = await store.recoverEndpoint(app.id, ep.id, T0 + MINUTE, T0 + 2 * HOUR);
      assert.equal(recovered.queued, 2, 'messages 1 and 3 (0 is before `since`, 2 succeeded)');
      stats = await store.deliveryStats({ appId: app.id, endpointId: ep.id, since: null });
      assert.deepEqual([stats.failed, stats.succeeded, stats.pending], [1, 1, 2]);
      const again = await store.claimDueDeliveries('w', T0 + 2 * HOUR, 100, T0 + 3 * HOUR);
      assert.deepEqual(
        again.map((d) => d.messageId),
        [messages[1]!.id, messages[3]!.id],
      );
      assert.ok(again.every((d) => d.attemptsMade === 5 && d.scheduleStart === 5));
      const other = await seed(store, []);
      assert.equal((await store.recoverEndpoint(other.app.id, ep.id, 0, T0)).queued, 0);
      await store.updateEndpoint(app.id, eps[1]!.id, { disabled: true, updatedAt: T0 });
      assert.equal((await store.recoverEndpoint(app.id, eps[1]!.id, 0, T0)).queued, 0);
    }),
  );

  it(
    'stores app tokens by hash only, finds them by hash, and revokes them at once',
    withStore(async (store) => {
      const { app } = await seed(store, []);
      const other = await seed(store, []);
      const hash = (t: string) => createHash('sha256').update(t).digest('hex');
      const token = await store.createAppToken({
        id: newId('tok', T0),
        appId: app.id,
        name: 'ci',
        tokenHash: hash('secret-token-1'),
        createdAt: T0,
      });
      assert.equal(Object.hasOwn(token, 'tokenHash'), false);
      assert.deepEqual(await store.findAppTokenByHash(hash('secret-token-1')), token);
      assert.equal(await store.findAppTokenByHash(hash('secret-token-2')), null);
      assert.deepEqual((await store.listAppTokens(app.id, { limit: 10 })).data, [token]);
      assert.equal(await store.revokeAppToken(other.app.id, token.id), false, "another app's token");
      assert.equal(await store.revokeAppToken(app.id, token.id), true);
      assert.equal(await store.findAppTokenByHash(hash('secret-token-1')), null);

      await store.createAppToken({ id: newId('tok', T0), appId: app.id, name: '', tokenHash: hash('t3'), createdAt: T0 });
      await store.deleteApp(app.id, T0);
      assert.equal(await store.findAppTokenByHash(hash('t3')), null, "a deleted app's tokens stop working");
    }),
  );

  it(
    'counts a window from `since` exactly, also inside a minute: all apps, one app, one endpoint',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: [] }, { eventTypes: [] }]);
      const other = await seed(store, [{ eventTypes: [] }]);
      const lease = { workerId: 'w', until: T0 + 120_000 };
      const early = await enqueue(store, app.id, 'a', null, lease, T0 + 10_000);
      const late = await enqueue(store, app.id, 'a', null, lease, T0 + 30_000);
      await enqueue(store, other.app.id, 'a', null, lease, T0 + 40_000); // pending
      const [late0, late1] = late.leased.sort((x, y) => (x.endpointId === eps[0]!.id ? -1 : y.endpointId === eps[0]!.id ? 1 : 0));
      await store.recordAttempts('w', [
        ...early.leased.map((d) => outcome(d, { kind: 'succeeded' }, T0 + 10_005)),
        outcome(late0!, { kind: 'succeeded' }, T0 + 30_500),
        outcome(late1!, { kind: 'failed' }, T0 + 30_600),
      ]);
      const figures = async (appId: string | null, since: number | null, endpointId: string | null = null) => {
        const s = await store.deliveryStats({ appId, endpointId, since });
        return [s.count, s.succeeded, s.failed, s.pending];
      };
      // The whole minute, then from inside it: the early message's deliveries (10 s in) are left out.
      assert.deepEqual(await figures(app.id, T0), [4, 3, 1, 0]);
      assert.deepEqual(await figures(app.id, T0 + 20_000), [2, 1, 1, 0]);
      assert.deepEqual(await figures(app.id, T0 + 30_000), [2, 1, 1, 0], 'at or after since');
      assert.deepEqual(await figures(app.id, T0 + 30_001), [0, 0, 0, 0]);
      assert.deepEqual(await figures(app.id, T0 + 20_000, eps[0]!.id), [1, 1, 0, 0]);
      assert.deepEqual(await figures(null, T0 + 20_000), [3, 1, 1, 1], 'every app');
      assert.deepEqual(await figures(null, T0 + 35_000), [1, 0, 0, 1]);
      const delay = (await store.deliveryStats({ appId: app.id, since: T0 + 20_000 })).delayMs.p50!;
      assert.ok(delay > 450 && delay < 550, `only the 500 ms delay after since is left, got ${delay}`);
      // Past the middle of its minute, the rest of the minute is read from rows and added (a shorter read).
      const later = await enqueue(store, other.app.id, 'a', null, lease, T0 + 45_000);
      await store.recordAttempts('w', [outcome(later.leased[0]!, { kind: 'succeeded' }, T0 + 45_700)]);
      await enqueue(store, other.app.id, 'a', null, lease, T0 + 70_000); // the next minute, from its counters
      assert.deepEqual(await figures(other.app.id, T0 + 44_000), [2, 1, 0, 1]);
      assert.deepEqual(await figures(other.app.id, T0 + 35_000), [3, 1, 0, 2]);
      assert.deepEqual(await figures(null, T0 + 45_001), [1, 0, 0, 1]);
      const tail = await store.deliveryStats({ appId: other.app.id, since: T0 + 44_000 });
      assert.deepEqual([tail.delayMs.p50, tail.delayMs.p99].map((ms) => Math.abs(ms! - 700) < 35), [true, true]);
    }),
  );

  it(
    'a lease handed back after its endpoint was disabled is parked, and due again when it is re-enabled',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: [] }]);
      const sent = await enqueue(store, app.id, 'a', null, null, T0);
      const [d] = await store.claimDueDeliveries('w', T0, 5, T0 + 30_000);
      assert.equal(d?.messageId, sent.message.id);
      await store.updateEndpoint(app.id, eps[0]!.id, { disabled: true, updatedAt: T0 + 10 });
      await store.releaseLeases('w', [d!.deliveryId], T0 + 20);
      assert.deepEqual(await store.claimDueDeliveries('w', T0 + HOUR, 5, T0 + HOUR + 30_000), []);
      assert.equal(await store.nextDueAt(T0), null, 'parked: not due at any time');
      await store.updateEndpoint(app.id, eps[0]!.id, { disabled: false, updatedAt: T0 + 30 });
      const [again] = await store.claimDueDeliveries('w', T0 + HOUR, 5, T0 + HOUR + 30_000);
      assert.equal(again?.deliveryId, d!.deliveryId);
    }),
  );

  it(
    'purges messages past retention in batches, gives up stale pending work, and keeps stats right',
    withStore(async (store) => {
      const { app, eps } = await seed(store, [{ eventTypes: ['a'] }, { eventTypes: ['b'] }, { eventTypes: ['z'] }, { eventTypes: ['z'] }]);
      // Two endpoints deleted, one before the cutoff (its row goes), one after (kept for now).
      await store.deleteEndpoint(app.id, eps[2]!.id, T0 + 3);
      await store.deleteEndpoint(app.id, eps[3]!.id, T0 + 2 * HOUR);
      const old = await enqueue(store, app.id, 'a', 'evt-old', null, T0);
      const stale = await enqueue(store, app.id, 'b', null, null, T0 + 1);
      const [d] = await store.claimDueDeliveries('w', T0, 1, T0 + 30_000);
      await store.recordAttempts('w', [outcome(d!, { kind: 'succeeded' }, T0 + 5)]);
      // The stale message's delivery waits, parked, on an endpoint disabled for the whole retention period.
      await store.updateEndpoint(app.id, eps[1]!.id, { disabled: true, updatedAt: T0 + 10 });
      // An old message whose delivery still waits for a retry due after the cutoff: kept, still owed.
      const retrying = await enqueue(store, app.id, 'a', null, null, T0 + 2);
      const [r] = await store.claimDueDeliveries('w', T0 + 2, 5, T0 + 30_000);
      assert.equal(r?.messageId, retrying.message.id);
      await store.recordAttempts('w', [outcome(r!, { kind: 'retry', at: T0 + 4 * HOUR }, T0 + 20)]);
      const fresh = await enqueue(store, app.id, 'a', null, null, T0 + 2 * HOUR);
      const recent = { appId: app.id, since: T0 + HOUR };
      const before = await store.deliveryStats(recent);

      const cutoff = T0 + HOUR;
      let total = 0;
      let expired = 0;
      let endpoints = 0;
      for (let guard = 0; guard < 10; guard++) {
        const result = await store.purgeExpired(cutoff, 1, T0 + 3 * HOUR);
        total += result.messages;
        expired += result.expiredDeliveries;
        endpoints += result.endpoints;
        if (result.done) break;
      }
      assert.deepEqual([total, expired], [2, 1], 'both old messages; the unfinished one given up first');
      assert.equal(endpoints, 1, 'the endpoint deleted before the cutoff is removed, the other kept');
      assert.equal((await store.purgeExpired(cutoff, 10, T0 + 3 * HOUR)).endpoints, 0, 'and only once');
      assert.equal(await store.getMessage(app.id, old.message.id), null);
      assert.equal(await store.getMessage(app.id, stale.message.id), null);
      assert.equal((await store.listAttempts(app.id, old.message.id, { limit: 10 })).data.length, 0);
      assert.ok(await store.getMessage(app.id, fresh.message.id));
      assert.ok(await store.getMessage(app.id, retrying.message.id), 'a message still owed a retry is kept');
      assert.deepEqual(await store.deliveryStats(recent), before, 'stats inside retention are unchanged');
      const all = await store.deliveryStats({ appId: app.id, since: null });
      assert.deepEqual([all.count, all.pending, all.failed], [1, 1, 0], 'all history = what is retained');
      assert.equal(
        (await enqueue(store, app.id, 'a', 'evt-old', null, T0 + 2 * HOUR)).created,
        true,
        'a purged eventId is forgotten',
      );
      assert.equal(await store.queueDepth(), 3, 'the fresh, the retrying and the new one');
    }),
  );
}
