import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { RawServeOptions } from '../../src/config/config.js';
import type { TestBackend } from './backend.js';
import { TestHookline } from './hookline.js';
import { Receiver, type Reply } from './receiver.js';
import { waitFor } from './wait.js';

/** The management API end to end (message list, resend, recover, rotation), the same on every backend. */
export function manageSuite(backend: TestBackend): void {
  const start = (flags: RawServeOptions = {}) => TestHookline.start(flags, {}, backend);
  // One server and one receiver per suite; each test has its own app and receiver paths.
  let hl: TestHookline;
  let rx: Receiver;
  const replies = new Map<string, () => Reply>();

  async function statsOf(path: string) {
    return (await hl.call('GET', path)).body as { count: number; succeeded: number; failed: number; pending: number };
  }

  describe(`management API on ${backend.name}`, { skip: backend.skip }, () => {
    before(async () => {
      rx = await Receiver.start();
      rx.reply = (req) => replies.get(req.path)?.() ?? { status: 200, body: 'ok' };
      hl = await start({ retrySchedule: '50ms,50ms', requestTimeout: '2s' });
    });
    after(async () => {
      await hl?.stop();
      await rx?.close();
    });

    it('refuses U+0000 and lone surrogates in any text field with a 400 naming it, finds no id holding one, keeps them in a payload', async () => {
      const app = await hl.app('nul-bytes');
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', `/v1/apps/${app}/messages`, { eventType: 'a.b', payload: {}, eventId: 'e\u0000' }, 'eventId'],
        ['POST', '/v1/apps', { name: 'n\u0000' }, 'name'],
        ['POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/x`, description: 'd\u0000' }, 'description'],
        ['POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/x`, headers: { 'x-a': 'v\u0000' } }, 'headers.x-a'],
        ['POST', '/v1/event-types', { name: 'nul.type', description: '\u0000' }, 'description'],
        // Half a surrogate pair (JSON "\udc00"): each store would keep replacement characters instead.
        ['POST', `/v1/apps/${app}/messages`, { eventType: 'a.b', payload: {}, eventId: 'e\udc00' }, 'eventId'],
        ['POST', '/v1/apps', { name: 'x\ud800y' }, 'name'],
        ['POST', `/v1/apps/${app}/tokens`, { name: '\ud83d' }, 'name'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await hl.call(method, path, body);
        assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 'validation_failed');
        assert.equal(res.body.errors[0].field, field);
      }
      // No app, endpoint or message has U+0000 in its id or uid: a path naming one finds nothing.
      assert.equal((await hl.call('GET', '/v1/apps/uid%00x')).body.code, 'app_not_found');
      assert.equal((await hl.call('GET', `/v1/apps/${app}/messages/msg%00x`)).body.code, 'message_not_found');
      const kept = await hl.send(app, { eventType: 'a.b', payload: { note: 'a\u0000b' } });
      assert.equal(kept.status, 202);
      const message = await hl.call('GET', `/v1/apps/${app}/messages/${kept.body.id}`);
      assert.equal(message.body.payload.note, 'a\u0000b');
      const lone = await hl.send(app, { eventType: 'a.b', payload: { note: 'a\udc00b' } });
      assert.equal(lone.status, 202, 'a payload keeps its JSON text, escapes and all');
      const kept2 = await hl.call('GET', `/v1/apps/${app}/messages/${lone.body.id}`);
      assert.equal(kept2.body.payload.note, 'a\udc00b');
    });

    it('gives up the pending deliveries of a deleted endpoint, in /v1/stats and /metrics alike', async () => {
      const app = await hl.app('deleted-endpoint');
      const ep = await hl.endpoint(app, { url: `${rx.url}/deleted-endpoint`, rateLimit: 1 });
      for (let i = 0; i < 5; i++) assert.equal((await hl.send(app, { eventType: 'a.b', payload: { i } })).status, 202);
      const failedMetric = async () =>
        Number(/hookline_deliveries_total\{outcome="failed"\} (\d+)/.exec((await hl.call('GET', '/metrics')).body)![1]);
      await waitFor(async () => (await statsOf(`/v1/apps/${app}/stats`)).pending < 5, 'the first delivery');
      const before = await failedMetric();
      assert.equal((await hl.call('DELETE', `/v1/apps/${app}/endpoints/${ep.id}`)).status, 204);
      const stats = await waitFor(async () => {
        const s = await statsOf(`/v1/apps/${app}/stats`);
        return s.pending === 0 ? s : null;
      }, 'nothing pending');
      assert.ok(stats.failed >= 3, JSON.stringify(stats)); // one a second goes out; the rest were waiting
      assert.equal((await failedMetric()) - before, stats.failed);
    });

    it('lists messages newest first, by event type and time window, with opaque iterators', async () => {
      const app = await hl.app('listing');
      const sent: Array<{ id: string; timestamp: string; eventType: string }> = [];
      for (const type of ['a.x', 'b.x', 'a.x', 'b.x', 'a.x']) {
        sent.push((await hl.send(app, { eventType: type, payload: { type } })).body);
      }
      const ids: string[] = [];
      let iterator: string | null = null;
      for (let page = 0; page < 5; page++) {
        const res: { body: { data: Array<{ id: string }>; iterator: string | null; done: boolean } } =
          await hl.call('GET', `/v1/apps/${app}/messages?limit=2${iterator ? `&iterator=${iterator}` : ''}`);
        ids.push(...res.body.data.map((m) => m.id));
        if (res.body.done) break;
        iterator = res.body.iterator;
      }
      // Newest first; messages stamped in the same millisecond are ordered by id.
      const newestFirst = (list: typeof sent) =>
        [...list].sort((a, b) => b.timestamp.localeCompare(a.timestamp) || (b.id > a.id ? 1 : -1)).map((m) => m.id);
      assert.deepEqual(ids, newestFirst(sent));
      const typed = await hl.call('GET', `/v1/apps/${app}/messages?eventType=a.x`);
      assert.deepEqual(
        typed.body.data.map((m: { id: string }) => m.id),
        newestFirst(sent.filter((m) => m.eventType === 'a.x')),
      );
      assert.equal(typed.body.done, true);
      assert.equal(typed.body.data[0].payload, undefined, 'lists carry no payload');
      const after = encodeURIComponent(sent[2]!.timestamp);
      const later = await hl.call('GET', `/v1/apps/${app}/messages?after=${after}`);
      assert.ok(later.body.data.every((m: { timestamp: string }) => m.timestamp > sent[2]!.timestamp));
      const earlier = await hl.call('GET', `/v1/apps/${app}/messages?before=${after}&eventType=b.x`);
      assert.ok(earlier.body.data.every((m: { timestamp: string }) => m.timestamp < sent[2]!.timestamp));
      const one = await hl.call('GET', `/v1/apps/${app}/messages/${sent[1]!.id}`);
      assert.deepEqual(one.body.payload, { type: 'b.x' });
      for (const query of ['limit=0', 'limit=251', 'iterator=bad!', 'eventType=has%20space', 'after=soon', 'page=2']) {
        const res = await hl.call('GET', `/v1/apps/${app}/messages?${query}`);
        assert.equal(res.status, 400, query);
      }
    });

    it('resends to every endpoint the message matched, or to one, with attemptNumber going on', async () => {
      const app = await hl.app('resend');
      const all = await hl.endpoint(app, { url: `${rx.url}/resend-all` });
      const other = await hl.endpoint(app, { url: `${rx.url}/resend-other`, eventTypes: ['other.type'] });
      const off = await hl.endpoint(app, { url: `${rx.url}/resend-off`, disabled: true });
      const msg = (await hl.send(app, { eventType: 'order.paid', payload: { n: 1 } })).body;
      await waitFor(async () => (await hl.attempts(app, msg.id)).length === 1, 'the first delivery');

      const again = await hl.call('POST', `/v1/apps/${app}/messages/${msg.id}/resend`);
      assert.deepEqual([again.status, again.body], [202, { queued: 1 }]);
      const attempts = await waitFor(async () => {
        const list = await hl.attempts(app, msg.id);
        return list.length === 2 ? list : null;
      }, 'the resent attempt');
      assert.deepEqual(
        attempts.map((a) => [a.attemptNumber, a.status, a.endpointId]),
        [
          [2, 'succeeded', all.id],
          [1, 'succeeded', all.id],
        ],
      );
      assert.ok(rx.on('/resend-all').every((r) => r.headers['webhook-id'] === msg.id));

      const toOther = await hl.call('POST', `/v1/apps/${app}/messages/${msg.id}/resend`, { endpointId: other.id });
      assert.deepEqual(toOther.body, { queued: 1 }, 'an endpoint the message never matched gets it too');
      await waitFor(() => rx.on('/resend-other').length === 1, 'delivery to the other endpoint');
      const refused = await hl.call('POST', `/v1/apps/${app}/messages/${msg.id}/resend`, { endpointId: off.id });
      assert.deepEqual([refused.status, refused.body.code], [409, 'endpoint_disabled']);
      assert.equal(rx.on('/resend-off').length, 0);
      const stats = await waitFor(async () => {
        const s = await statsOf(`/v1/apps/${app}/stats`);
        return s.succeeded === 2 ? s : null;
      }, 'stats to settle');
      assert.deepEqual([stats.count, stats.failed, stats.pending], [2, 0, 0], 'a resend is not a new delivery');
    });

    it('resends a message whose attempt is still in flight: it goes out again once that attempt ends', async () => {
      const app = await hl.app('resend-in-flight');
      await hl.endpoint(app, { url: `${rx.url}/resend-in-flight` });
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      let seen = 0;
      replies.set('/resend-in-flight', () => (seen++ === 0 ? { status: 200, until: held } : { status: 200 }));
      try {
        const msg = (await hl.send(app, { eventType: 'order.paid', payload: { n: 1 } })).body;
        await waitFor(() => rx.on('/resend-in-flight').length === 1, 'the first attempt to reach the receiver');
        const again = await hl.call('POST', `/v1/apps/${app}/messages/${msg.id}/resend`);
        assert.deepEqual([again.status, again.body], [202, { queued: 1 }]);
        answer(); // the first attempt succeeds only now, after the resend was asked for
        const attempts = await waitFor(async () => {
          const list = await hl.attempts(app, msg.id);
          return list.length === 2 ? list : null;
        }, 'the resent attempt');
        assert.deepEqual(
          attempts.map((a) => [a.attemptNumber, a.status]),
          [
            [2, 'succeeded'],
            [1, 'succeeded'],
          ],
        );
        assert.equal(rx.on('/resend-in-flight').length, 2);
        const stats = await waitFor(async () => {
          const s = await statsOf(`/v1/apps/${app}/stats`);
          return s.succeeded === 1 && s.pending === 0 ? s : null;
        }, 'stats to settle');
        assert.deepEqual([stats.count, stats.failed], [1, 0]);
      } finally {
        answer();
        replies.delete('/resend-in-flight');
      }
    });

    it('recovers an endpoint: failed deliveries since a time go out again, successes are not repeated', async () => {
      const app = await hl.app('recover');
      const ep = await hl.endpoint(app, { url: `${rx.url}/recover` });
      let down = true;
      replies.set('/recover', () => ({ status: down ? 500 : 200 }));
      const since = new Date().toISOString();
      const first = (await hl.send(app, { eventType: 'a.b', payload: { n: 1 } })).body;
      const second = (await hl.send(app, { eventType: 'a.b', payload: { n: 2 } })).body;
      const failed = await waitFor(async () => {
        const s = await statsOf(`/v1/apps/${app}/endpoints/${ep.id}/stats`);
        return s.failed === 2 ? s : null;
      }, 'both deliveries to be given up');
      assert.equal(failed.count, 2);
      down = false;
      const third = (await hl.send(app, { eventType: 'a.b', payload: { n: 3 } })).body;
      await waitFor(() => rx.on('/recover').some((r) => r.headers['webhook-id'] === third.id), 'the third');

      const res = await hl.call('POST', `/v1/apps/${app}/endpoints/${ep.id}/recover`, { since });
      assert.deepEqual([res.status, res.body], [202, { queued: 2 }]);
      const stats = await waitFor(async () => {
        const s = await statsOf(`/v1/apps/${app}/endpoints/${ep.id}/stats`);
        return s.succeeded === 3 ? s : null;
      }, 'recovered deliveries to succeed');
      assert.deepEqual([stats.count, stats.failed, stats.pending], [3, 0, 0]);
      const attempts = await hl.attempts(app, first.id);
      assert.deepEqual(
        attempts.map((a) => [a.attemptNumber, a.status]),
        [
          [4, 'succeeded'],
          [3, 'failed'],
          [2, 'failed'],
          [1, 'failed'],
        ],
      );
      assert.equal((await hl.attempts(app, second.id))[0].attemptNumber, 4);
      assert.equal(rx.on('/recover').filter((r) => r.headers['webhook-id'] === third.id).length, 1);
      const again = await hl.call('POST', `/v1/apps/${app}/endpoints/${ep.id}/recover`, { since });
      assert.deepEqual(again.body, { queued: 0 }, 'nothing failed is left');
      await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: true });
      const disabled = await hl.call('POST', `/v1/apps/${app}/endpoints/${ep.id}/recover`, { since });
      assert.equal(disabled.body.code, 'endpoint_disabled');
    });

    it('rotates the secret: during the overlap every request carries both signatures', async () => {
      const app = await hl.app('rotation');
      const ep = await hl.endpoint(app, { url: `${rx.url}/rotated` });
      const rotated = await hl.call('POST', `/v1/apps/${app}/endpoints/${ep.id}/secret/rotate`);
      assert.equal(rotated.status, 204);
      const current = (await hl.call('GET', `/v1/apps/${app}/endpoints/${ep.id}/secret`)).body.secret;
      assert.notEqual(current, ep.secret);
      const msg = (await hl.send(app, { eventType: 'a.b', payload: { rotated: true } })).body;
      const [req] = await waitFor(() => (rx.on('/rotated').length ? rx.on('/rotated') : null), 'the delivery');
      const signatures = String(req!.headers['webhook-signature']).split(' ');
      assert.equal(signatures.length, 2);
      for (const secret of [current, ep.secret]) {
        const event = new Webhook(secret).verify(req!.body, req!.headers as Record<string, string>);
        assert.deepEqual((event as { data: unknown }).data, { rotated: true }, secret);
      }
      assert.equal(req!.headers['webhook-id'], msg.id);

      const chosen = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3';
      const path = `/v1/apps/${app}/endpoints/${ep.id}/secret`;
      assert.equal((await hl.call('POST', `${path}/rotate`, { secret: chosen })).status, 204);
      assert.equal((await hl.call('GET', path)).body.secret, chosen);
      for (const body of [{ secret: 'whsec_c2hvcnQ=' }, { secret: 'plain' }, { secret: chosen, extra: 1 }]) {
        const bad = await hl.call('POST', `${path}/rotate`, body);
        assert.equal(bad.status, 400, JSON.stringify(body));
      }
    });
  });
}
