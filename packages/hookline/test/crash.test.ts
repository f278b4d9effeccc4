import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { HooklineProcess } from './helpers/child.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'crash-test-admin-token';
const args = [
  'serve',
  '--port',
  '0',
  '--db',
  join(dir, 'crash.db'),
  '--allow-private-network',
  '--retry-schedule',
  '100ms,100ms,100ms,100ms,100ms',
];

it('kill -9 mid-load loses no message that got a 202', async () => {
  const rx = await Receiver.start();
  const first = new HooklineProcess(args, { HOOKLINE_ADMIN_TOKEN: TOKEN });
  try {
    const url = await first.listening();
    const call = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const app = (await (await call('/v1/apps', { name: 'crash' })).json()) as { id: string };
    assert.equal((await call(`/v1/apps/${app.id}/endpoints`, { url: `${rx.url}/hook` })).status, 201);

    // 16 concurrent senders until 600 messages are accepted; then SIGKILL with requests still in flight.
    const accepted = new Set<string>();
    let killed = false;
    const sender = async (n: number) => {
      for (let i = 0; !killed && i < 1000; i++) {
        try {
          const res = await call(`/v1/apps/${app.id}/messages`, {
            eventType: 'load.test',
            payload: { n, i },
          });
          if (res.status === 202) accepted.add(((await res.json()) as { id: string }).id);
        } catch {
          return; // the server died under us: this request never got a 202
        }
        if (accepted.size >= 600 && !killed) {
          killed = true;
          first.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, n) => sender(n)));
    await first.exited;
    assert.equal(first.signal, 'SIGKILL');
    assert.ok(accepted.size >= 600);

    const second = new HooklineProcess(args, { HOOKLINE_ADMIN_TOKEN: TOKEN });
    try {
      await second.listening();
      const delivered = () => new Set(rx.requests.map((r) => String(r.headers['webhook-id'])));
      await waitFor(
        () => [...accepted].every((id) => delivered().has(id)),
        'every accepted message to be delivered',
        30_000,
      );
      const missing = [...accepted].filter((id) => !delivered().has(id));
      assert.deepEqual(missing, []);
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
    await rx.close();
  }
});
