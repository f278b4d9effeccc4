import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { RawServeOptions } from '../../src/config/config.js';
import type { TestBackend } from './backend.js';
import { TestHookline } from './hookline.js';
import { Receiver } from './receiver.js';
import { waitFor } from './wait.js';

/** Operational webhooks and background retention end to end, the same on every backend. */
export function operationalSuite(backend: TestBackend): void {
  const start = (flags: RawServeOptions = {}) => TestHookline.start(flags, {}, backend);
  // One server per suite: --operational-webhook-url points at /ops of the receiver; --retention is short.
  let hl: TestHookline;
  let rx: Receiver;
  let opsSecret: string;

  /** The verified operational events received so far. */
  function opsEvents(): Array<{ type: string; data: Record<string, any> }> {
    return rx.on('/ops').map((r) => new Webhook(opsSecret).verify(r.body, r.headers as Record<string, string>) as any);
  }

  const waitForEvent = (type: string, match: (data: Record<string, any>) => boolean) =>
    waitFor(() => opsEvents().find((e) => e.type === type && match(e.data)), `operational event ${type}`);

  describe(`operational webhooks on ${backend.name}`, { skip: backend.skip }, () => {
    before(async () => {
      rx = await Receiver.start();
      rx.reply = (req) => {
        if (req.path === '/gone') return { status: 410 };
        if (req.path === '/down') return { status: 500 };
        return { status: 200 };
      };
      hl = await start({
        operationalWebhookUrl: `${rx.url}/ops`,
        retrySchedule: '50ms',
        retention: '1500ms',
      });
      const info = await hl.call('GET', '/v1/operational-webhook');
      assert.equal(info.status, 200, JSON.stringify(info.body));
      opsSecret = info.body.secret;
    });
    after(async () => {
      await hl?.stop();
      await rx?.close();
    });

    it('describes where events go, with a secret they are signed with', async () => {
      const info = (await hl.call('GET', '/v1/operational-webhook')).body;
      assert.equal(info.url, `${rx.url}/ops`);
      assert.match(info.secret, /^whsec_/);
      assert.deepEqual(info.eventTypes, ['endpoint.disabled', 'endpoint.enabled', 'message.attempt.exhausted']);
      const app = await hl.call('GET', '/v1/apps/hookline:operational');
      assert.equal(app.body.id, info.appId, 'the reserved app is inspectable like any other');
      // …but not to be changed: that would stop the events until the next restart re-creates it.
      const endpoints = (await hl.call('GET', `/v1/apps/${info.appId}/endpoints`)).body.data;
      for (const [method, path, body] of [
        ['DELETE', `/v1/apps/${info.appId}`, undefined],
        ['PATCH', `/v1/apps/${info.appId}`, { uid: 'renamed' }],
        ['POST', `/v1/apps/${info.appId}/endpoints`, { url: `${rx.url}/second` }],
        ['DELETE', `/v1/apps/${info.appId}/endpoints/${endpoints[0].id}`, undefined],
      ] as const) {
        const res = await hl.call(method, path, body);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.body.code, 'forbidden');
      }
      assert.equal((await hl.call('GET', '/v1/operational-webhook')).status, 200, 'still configured');
    });

    it('sends endpoint.disabled on 410 Gone and endpoint.enabled when it is re-enabled', async () => {
      const app = await hl.app('ops-gone', 'ops-gone');
      const ep = await hl.endpoint(app, { url: `${rx.url}/gone` });
      await hl.send(app, { eventType: 'a.b', payload: {} });
      const disabled = await waitForEvent('endpoint.disabled', (d) => d.endpointId === ep.id);
      assert.deepEqual(
        [disabled.data.appId, disabled.data.appUid, disabled.data.trigger, disabled.data.url],
        [app, 'ops-gone', 'automatic', `${rx.url}/gone`],
      );
      assert.ok(disabled.data.failingSince);
      await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: false });
      const enabled = await waitForEvent('endpoint.enabled', (d) => d.endpointId === ep.id);
      assert.equal(enabled.data.appId, app);
      await hl.call('PATCH', `/v1/apps/${app}/endpoints/${ep.id}`, { disabled: true });
      const manual = await waitForEvent('endpoint.disabled', (d) => d.endpointId === ep.id && d.trigger === 'manual');
      assert.equal(manual.data.appId, app);
    });

    it('sends message.attempt.exhausted when the retry schedule runs out', async () => {
      const app = await hl.app('ops-down');
      const ep = await hl.endpoint(app, { url: `${rx.url}/down` });
      const msg = (await hl.send(app, { eventType: 'order.paid', eventId: 'evt-9', payload: {} })).body;
      const event = await waitForEvent('message.attempt.exhausted', (d) => d.messageId === msg.id);
      assert.deepEqual(
        [event.data.appId, event.data.endpointId, event.data.eventType, event.data.eventId],
        [app, ep.id, 'order.paid', 'evt-9'],
      );
      assert.deepEqual(
        [event.data.lastAttempt.attemptNumber, event.data.lastAttempt.responseStatusCode],
        [2, 500],
      );
      const exhausted = opsEvents().filter((e) => e.type === 'message.attempt.exhausted' && e.data.messageId === msg.id);
      assert.equal(exhausted.length, 1, 'one event per exhausted delivery');
    });

    it('purges messages and attempts past --retention in the background', async () => {
      const app = await hl.app('retention');
      await hl.endpoint(app, { url: `${rx.url}/kept-briefly` });
      const msg = (await hl.send(app, { eventType: 'a.b', eventId: 'once', payload: { n: 1 } })).body;
      await waitFor(async () => (await hl.attempts(app, msg.id)).length === 1, 'the delivery');
      await waitFor(
        async () => (await hl.call('GET', `/v1/apps/${app}/messages/${msg.id}`)).status === 404,
        'the message to be purged',
      );
      assert.equal((await hl.call('GET', `/v1/apps/${app}/messages/${msg.id}/attempts`)).status, 404);
      assert.equal((await hl.call('GET', `/v1/apps/${app}/messages`)).body.data.length, 0);
      const again = await hl.send(app, { eventType: 'a.b', eventId: 'once', payload: { n: 2 } });
      assert.notEqual(again.body.id, msg.id, 'an eventId is remembered for the retention period only');
    });
  });
}
