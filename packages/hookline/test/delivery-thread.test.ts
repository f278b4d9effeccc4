import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { resolveServeConfig } from '../src/config/config.js';
import { newId } from '../src/core/ids.js';
import { openDeliveryThread } from '../src/dispatch/delivery-thread.js';
import { SqliteHost } from '../src/store/sqlite/store-host.js';
import { Receiver } from './helpers/receiver.js';
import { SECRET } from './helpers/store-fixtures.js';
import { waitFor } from './helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the SQLite delivery thread, supervised', () => {
  it('starts a new thread when it dies: /healthz says so meanwhile, and nothing accepted is lost', async () => {
    const marker = join(dir, 'crash-once');
    writeFileSync(marker, '');
    process.env.HOOKLINE_TEST_CRASH_MARKER = marker;
    const rx = await Receiver.start();
    const store = new SqliteHost(join(dir, 'supervised.db'));
    await store.migrate();
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
    const config = resolveServeConfig({ port: '0', allowPrivateNetwork: true }, {});
    const now = Date.now();
    const app = await store.createApp({ id: newId('app', now), name: 'a', uid: null, createdAt: now });
    await store.createEndpoint({
      id: newId('ep', now),
      appId: app.id,
      url: `${rx.url}/hook`,
      description: '',
      eventTypes: [],
      disabled: false,
      rateLimit: null,
      headers: {},
      secret: SECRET,
      createdAt: now,
    });
    const thread = await openDeliveryThread(
      store,
      { config, workerId: 'test-worker', operational: null },
      () => undefined,
      logger,
      new URL('./helpers/crashing-delivery-worker.js', import.meta.url),
    );
    try {
      thread.start();
      const failure = await waitFor(() => thread.failure(), 'the thread to die');
      assert.match(failure, /the delivery thread stopped: .*injected: a bug in the delivery thread/);
      assert.equal(existsSync(marker), false);
      assert.equal((await thread.health()).ok, false);

      // Accepted while no thread runs: stored, waiting.
      const send = (n: number) =>
        thread.enqueue({
          message: {
            id: newId('msg', Date.now()),
            appId: app.id,
            eventType: 'order.paid',
            eventId: null,
            payload: JSON.stringify({ n }),
            timestamp: Date.now(),
          },
          newDeliveryId: () => newId('dlv', Date.now()),
        });
      assert.equal((await send(1))?.created, true);

      await waitFor(() => thread.failure() === null, 'a new thread', 15_000);
      assert.equal((await thread.health()).ok, true);
      assert.equal((await send(2))?.created, true);
      await waitFor(() => rx.on('/hook').length === 2, 'both messages delivered', 15_000);
      assert.deepEqual(rx.on('/hook').map((r) => JSON.parse(r.body).data.n).sort(), [1, 2]);
      assert.ok(logged.some((m) => /the delivery thread stopped: .*starting a new one in 1000 ms/.test(m)), logged.join('\n'));
      assert.ok(logged.includes('the delivery thread runs again'));
    } finally {
      await thread.stop(1_000);
      await store.close();
      await rx.close();
      delete process.env.HOOKLINE_TEST_CRASH_MARKER;
    }
  });
});
