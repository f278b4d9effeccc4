import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryDedupStore } from '../src/index.js';
import { dedupStoreConformance } from './dedup-conformance.js';

describe('MemoryDedupStore', () => {
  const store = new MemoryDedupStore();
  dedupStoreConformance(() => store);

  test('expiry follows the injected clock', async () => {
    let now = 1_000_000;
    const clocked = new MemoryDedupStore({ now: () => now });
    assert.equal(await clocked.claim('a', 10), 'new');
    now += 9_999;
    assert.equal(await clocked.claim('a', 10), 'in_progress');
    now += 1;
    assert.equal(await clocked.claim('a', 10), 'new');
    await clocked.complete('a', 60);
    now += 59_999;
    assert.equal(await clocked.claim('a', 10), 'duplicate');
    now += 1;
    assert.equal(await clocked.claim('a', 10), 'new');
  });

  test('stays within maxEntries, evicting the least recently used', async () => {
    const bounded = new MemoryDedupStore({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) {
      await bounded.claim(id, 60);
      await bounded.complete(id, 60);
    }
    assert.equal(await bounded.claim('a', 60), 'duplicate'); // touches a: b is now the oldest
    await bounded.claim('d', 60);
    assert.equal(bounded.size, 3);
    assert.equal(await bounded.claim('a', 60), 'duplicate');
    assert.equal(await bounded.claim('c', 60), 'duplicate');
    assert.equal(await bounded.claim('b', 60), 'new');
    for (let i = 0; i < 100; i++) await bounded.claim(`x${i}`, 60);
    assert.equal(bounded.size, 3);
  });

  test('refuses a maxEntries below 1', () => {
    assert.throws(() => new MemoryDedupStore({ maxEntries: 0 }), RangeError);
  });
});
