import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createClient } from 'redis';
import { RedisDedupStore } from '../src/index.js';
import { dedupStoreConformance } from './dedup-conformance.js';

// HOOKLINE_TEST_REDIS set: Redis is required and the suite must run. Unset: run if reachable.
const required = Boolean(process.env.HOOKLINE_TEST_REDIS);
const url = process.env.HOOKLINE_TEST_REDIS || 'redis://127.0.0.1:6379';
const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 3000 } });
let lastError: unknown;
client.on('error', (error: unknown) => {
  lastError = error;
});
let skip: string | false = false;
try {
  await client.connect();
} catch (error) {
  const reason = (error as Error).message || String(lastError);
  if (required)
    throw new Error(`HOOKLINE_TEST_REDIS is set but Redis is unreachable: ${reason}`, { cause: error });
  skip = `Redis not reachable at ${url} (${reason}); set HOOKLINE_TEST_REDIS to require it`;
  console.log(`skipping RedisDedupStore: ${skip}`);
}

describe('RedisDedupStore (real Redis)', { skip }, () => {
  const keyPrefix = `hookline:test:${randomBytes(4).toString('hex')}:`;
  const store = new RedisDedupStore(client, { keyPrefix });

  after(async () => {
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });

  dedupStoreConformance(() => store);

  test('keys carry the prefix and a Redis expiry', async () => {
    await store.claim('ttl_id', 60);
    const leaseMs = await client.pTTL(`${keyPrefix}ttl_id`);
    assert.ok(leaseMs > 55_000 && leaseMs <= 60_000, String(leaseMs));
    await store.complete('ttl_id', 3600);
    assert.equal(await client.get(`${keyPrefix}ttl_id`), 'done');
    assert.ok((await client.pTTL(`${keyPrefix}ttl_id`)) > 3_500_000);
  });
});
