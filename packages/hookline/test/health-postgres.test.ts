import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresBackend } from './helpers/backend.js';
import { TestHookline } from './helpers/hookline.js';
import { adminQuery, skipWithoutPg } from './helpers/postgres.js';
import { waitFor } from './helpers/wait.js';

/** /healthz on PostgreSQL tells a load balancer when the database takes reads but not writes. */
describe('/healthz on PostgreSQL', { skip: skipWithoutPg }, () => {
  it('turns unhealthy while the database refuses writes, with the reason, and healthy again by itself', async () => {
    // --role api: no delivery of its own whose failing claims would say it instead.
    const hl = await TestHookline.start({ role: 'api' }, {}, postgresBackend);
    try {
      const database = new URL(hl.db).pathname.slice(1);
      const app = await hl.app('ro', 'ro');
      assert.equal((await hl.call('GET', '/healthz')).status, 200);
      // Sessions opened from now on are read-only; ending hookline's sessions makes it open new ones.
      const reconnect = () =>
        adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          database,
        ]);
      await adminQuery(`ALTER DATABASE "${database}" SET default_transaction_read_only = on`);
      await reconnect();

      // The first failing probe may still be on a session that was just ended ("terminating connection"):
      // wait for the report of the new, read-only ones.
      const down = await waitFor(async () => {
        const health = await hl.call('GET', '/healthz');
        return health.status === 503 && /read-only/.test(String(health.body.reason)) ? health : null;
      }, '/healthz to report the refused writes');
      assert.equal(down.body.status, 'unhealthy');
      assert.match(down.body.reason, /refuses writes: .*read-only transaction/);
      const refused = await hl.send(app, { eventType: 'a.b', payload: {} });
      assert.equal(refused.status, 503);
      assert.equal(refused.body.code, 'store_unavailable');

      await adminQuery(`ALTER DATABASE "${database}" RESET default_transaction_read_only`);
      await reconnect();
      await waitFor(async () => (await hl.call('GET', '/healthz')).status === 200, '/healthz to be healthy again');
      assert.equal((await hl.send(app, { eventType: 'a.b', payload: {} })).status, 202);
    } finally {
      await hl.stop();
    }
  });
});
