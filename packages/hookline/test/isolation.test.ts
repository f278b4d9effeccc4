import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresBackend, sqliteBackend, type TestBackend } from './helpers/backend.js';
import { TestHookline } from './helpers/hookline.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

/**
 * Isolation of a slow endpoint, end to end: a receiver that never answers, with more deliveries queued
 * for it than a process keeps in flight (2,048), must not hold back another tenant's endpoint, even on the
 * same origin. Before, the hung endpoint's backlog took every slot until its attempts timed out.
 */
function isolationSuite(backend: TestBackend): void {
  describe(`isolation of a hanging endpoint on ${backend.name}`, { skip: backend.skip }, () => {
    let hl: TestHookline;
    let rx: Receiver;
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));

    before(async () => {
      rx = await Receiver.start();
      rx.reply = (req) => (req.path.startsWith('/hung') ? { status: 200, until: hung } : { status: 200 });
      // A long request timeout, so that waiting for it would be plain to see.
      hl = await TestHookline.start({ requestTimeout: '20s' }, {}, backend);
    });
    after(async () => {
      release();
      await hl?.stop();
      await rx?.close();
    });

    /** `count` messages to `app`, 32 at a time, each answered 202. */
    async function sendMany(app: string, count: number): Promise<void> {
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < count) {
            next++;
            assert.equal((await hl.send(app, { eventType: 'a.b', payload: {} })).status, 202);
          }
        }),
      );
    }

    it("delivers another app's messages at once while 2,300 wait for an endpoint that hangs", async () => {
      const slowApp = await hl.app('hangs');
      await hl.endpoint(slowApp, { url: `${rx.url}/hung` });
      const fastApp = await hl.app('answers');
      await hl.endpoint(fastApp, { url: `${rx.url}/fast` });

      await sendMany(slowApp, 2300);
      await waitFor(() => rx.on('/hung').length >= 128, 'the hanging endpoint to hold its attempts');

      const sentAt: number[] = [];
      for (let i = 0; i < 10; i++) {
        sentAt.push(Date.now());
        assert.equal((await hl.send(fastApp, { eventType: 'a.b', payload: { i } })).status, 202);
      }
      const arrived = await waitFor(() => (rx.on('/fast').length === 10 ? rx.on('/fast') : null), 'the other app');
      const delays = arrived.map((r) => r.at - sentAt[JSON.parse(r.body).data.i]!);
      assert.ok(Math.max(...delays) < 5000, `delays ${delays.join(', ')} ms`);
      assert.ok(rx.on('/hung').length <= 128, `${rx.on('/hung').length} attempts at once to the hung endpoint`);
    });

    it('keeps a third tenant on the same host prompt while two tenants each have an endpoint there that hangs', async () => {
      // With one pool per origin, two hanging endpoints (128 attempts each) took all 256 of the host's
      // connections, and the third tenant's attempts waited for one until the request timeout (fault audit).
      const second = await hl.app('hangs-too');
      await hl.endpoint(second, { url: `${rx.url}/hung-too` });
      await sendMany(second, 200);
      await waitFor(
        () => rx.on('/hung').length >= 128 && rx.on('/hung-too').length >= 128,
        'both hanging endpoints to hold 128 attempts each',
      );
      const third = await hl.app('third');
      await hl.endpoint(third, { url: `${rx.url}/third` });
      const sentAt = Date.now();
      assert.equal((await hl.send(third, { eventType: 'a.b', payload: {} })).status, 202);
      const [arrived] = await waitFor(() => (rx.on('/third').length ? rx.on('/third') : null), 'the third tenant');
      assert.ok(arrived!.at - sentAt < 5000, `delivered after ${arrived!.at - sentAt} ms`);
    });

    it('holds a tenant with many endpoints that hang to its share, and another app still gets through', async () => {
      // On a receiver host of their own: the point is the process's room, not one origin's connections.
      const sink = await Receiver.start();
      sink.reply = () => ({ status: 200, until: hung });
      after(() => sink.close());
      const greedy = await hl.app('many-hanging');
      for (let e = 0; e < 10; e++) await hl.endpoint(greedy, { url: `${sink.url}/hung-${e}` });
      const other = await hl.app('another');
      await hl.endpoint(other, { url: `${rx.url}/other` });
      await sendMany(greedy, 300);
      // 3,000 deliveries: ten endpoints' lines alone (128 at once and 128 waiting each) would fill the room.
      const greedyAttempts = () => sink.requests.length;
      await waitFor(() => greedyAttempts() >= 200, 'the hanging endpoints to hold their attempts');
      const sentAt = Date.now();
      assert.equal((await hl.send(other, { eventType: 'a.b', payload: {} })).status, 202);
      const [arrived] = await waitFor(() => (rx.on('/other').length ? rx.on('/other') : null), 'the other app');
      assert.ok(arrived!.at - sentAt < 5000, `delivered after ${arrived!.at - sentAt} ms`);
      assert.ok(greedyAttempts() <= 512, `${greedyAttempts()} attempts at once for one app`);
    });
  });
}

isolationSuite(sqliteBackend);
isolationSuite(postgresBackend);
