import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HooklineProcess } from './helpers/child.js';
import { ThrowawayCluster } from './helpers/pg-cluster.js';
import { skipWithoutPg } from './helpers/postgres.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

const TOKEN = 'restart-test-admin-token';

/**
 * PostgreSQL restarted under load, on a throwaway cluster of the test's own (never the shared server):
 * the API answers 503 with Retry-After while the database is away (never a hang, never a 202 for an
 * uncommitted message), /healthz says unhealthy and why, the logs say so, and delivery resumes by itself.
 */
describe('PostgreSQL restart under load', { skip: skipWithoutPg }, () => {
  let cluster: ThrowawayCluster | undefined;
  let hookline: HooklineProcess | undefined;
  let rx: Receiver | undefined;
  after(async () => {
    await hookline?.stop();
    await cluster?.destroy();
    await rx?.close();
  });

  it('answers 503 while the database is away and delivers every accepted message after', async () => {
    rx = await Receiver.start();
    cluster = await ThrowawayCluster.create();
    hookline = new HooklineProcess(
      ['serve', '--port', '0', '--db', cluster.url, '--allow-private-network', '--lease', '2s'],
      { HOOKLINE_ADMIN_TOKEN: TOKEN },
    );
    const url = await hookline.listening();
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000), // a hang fails the test
      });
    const app = ((await (await call('POST', '/v1/apps', { name: 'restart' })).json()) as { id: string }).id;
    assert.equal((await call('POST', `/v1/apps/${app}/endpoints`, { url: `${rx.url}/hook` })).status, 201);

    const accepted: Array<{ id: string; at: number }> = [];
    const unavailable: Array<{ retryAfter: string | null; code: string }> = [];
    const unexpected: string[] = [];
    let stop = false;
    const sender = async () => {
      for (let n = 0; !stop; n++) {
        try {
          const res = await call('POST', `/v1/apps/${app}/messages`, { eventType: 'restart.test', payload: { n } });
          const body = (await res.json()) as { id?: string; code?: string };
          if (res.status === 202) accepted.push({ id: body.id!, at: Date.now() });
          else if (res.status === 503) unavailable.push({ retryAfter: res.headers.get('retry-after'), code: body.code! });
          else unexpected.push(`${res.status} ${JSON.stringify(body)}`);
        } catch (error) {
          unexpected.push(`request failed: ${(error as Error).message}`);
        }
        // Pace the load a little: the machine is shared, and the point is the outage, not the rate.
        if (unavailable.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    try {
      await waitFor(() => accepted.length >= 100, 'load before the restart');
      await cluster.stop();
      const stoppedAt = Date.now();

      await waitFor(() => unavailable.length > 0, 'a 503 while the database is away');
      const health = await waitFor(async () => {
        const res = await call('GET', '/healthz');
        return res.status !== 200 ? { status: res.status, body: (await res.json()) as Record<string, unknown> } : null;
      }, 'an unhealthy /healthz');
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'unhealthy');
      assert.match(String(health.body.reason), /\S/);
      await waitFor(() => /delivery is paused/.test(hookline!.stderr), 'the worker to log the outage');

      await cluster.start();
      await waitFor(async () => (await call('GET', '/healthz')).status === 200, 'healthy again', 30_000);
      await waitFor(() => accepted.some((a) => a.at > stoppedAt), 'messages accepted again', 30_000);
    } finally {
      stop = true;
      await Promise.all(senders);
    }

    assert.deepEqual(unexpected, []);
    assert.ok(unavailable.every((u) => u.code === 'store_unavailable' && u.retryAfter === '1'));
    const delivered = () => new Set(rx!.requests.map((r) => String(r.headers['webhook-id'])));
    await waitFor(
      () => accepted.every((a) => delivered().has(a.id)),
      'every accepted message to be delivered',
      30_000,
    );
    assert.ok(!/\n\s+at /.test(hookline.stdout), 'no stack traces on stdout');
  });

  it('answers /healthz within seconds when the database stops answering without closing its connections', async () => {
    // The same server and cluster as above, healthy again: now freeze the database (a cut network).
    const url = await hookline!.listening();
    const health = () => fetch(`${url}/healthz`, { signal: AbortSignal.timeout(20_000) });
    assert.equal((await health()).status, 200);
    await cluster!.freeze(true);
    try {
      const began = Date.now();
      const res = await health();
      const tookMs = Date.now() - began;
      assert.equal(res.status, 503);
      assert.match(String(((await res.json()) as { reason: string }).reason), /did not answer within 2000 ms/);
      assert.ok(tookMs < 10_000, `the probe took ${tookMs} ms (the statement limit is 30 s)`);
    } finally {
      await cluster!.freeze(false);
    }
    await waitFor(async () => (await health()).status === 200, 'healthy once the database answers', 40_000);
  });
});
