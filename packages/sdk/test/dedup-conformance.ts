/** One suite every DedupStore must pass (memory, PostgreSQL, Redis): same behaviour on every backend. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { DedupStore } from '../src/index.js';
import { waitFor } from './helpers.js';

const newId = () => `msg_${randomBytes(8).toString('hex')}`;

/** Registers the conformance tests for the store `store()` returns (called inside a describe). */
export function dedupStoreConformance(store: () => DedupStore): void {
  test('a new id is claimed once; a second claim sees it in progress', async () => {
    const id = newId();
    assert.equal(await store().claim(id, 60), 'new');
    assert.equal(await store().claim(id, 60), 'in_progress');
  });

  test('a completed id is a duplicate, and release does not undo completion', async () => {
    const id = newId();
    assert.equal(await store().claim(id, 60), 'new');
    await store().complete(id, 60);
    assert.equal(await store().claim(id, 60), 'duplicate');
    await store().release(id);
    assert.equal(await store().claim(id, 60), 'duplicate');
  });

  test('a released claim can be claimed again', async () => {
    const id = newId();
    assert.equal(await store().claim(id, 60), 'new');
    await store().release(id);
    assert.equal(await store().claim(id, 60), 'new');
  });

  test('ids are independent', async () => {
    const a = newId();
    const b = newId();
    assert.equal(await store().claim(a, 60), 'new');
    await store().complete(a, 60);
    assert.equal(await store().claim(b, 60), 'new');
  });

  test('an expired lease (a crashed handler) can be claimed again', async () => {
    const id = newId();
    assert.equal(await store().claim(id, 0.2), 'new');
    assert.equal(await store().claim(id, 60), 'in_progress');
    // Polling claim is safe: until the lease expires it changes nothing.
    await waitFor(async () => (await store().claim(id, 60)) === 'new');
    assert.equal(await store().claim(id, 60), 'in_progress');
  });

  test('an expired completion is forgotten', async () => {
    const id = newId();
    assert.equal(await store().claim(id, 60), 'new');
    await store().complete(id, 0.2);
    assert.equal(await store().claim(id, 60), 'duplicate');
    await waitFor(async () => (await store().claim(id, 60)) === 'new');
  });

  test('complete works even when the lease already expired', async () => {
    const id = newId();
    await store().complete(id, 60);
    assert.equal(await store().claim(id, 60), 'duplicate');
  });

  test('concurrent claims of one id: exactly one is new', async () => {
    const id = newId();
    const results = await Promise.all(Array.from({ length: 8 }, () => store().claim(id, 60)));
    assert.equal(results.filter((result) => result === 'new').length, 1, results.join(','));
    assert.equal(results.filter((result) => result === 'in_progress').length, 7, results.join(','));
  });

  test('a ttl that is not a positive number is refused', async () => {
    await assert.rejects(store().claim(newId(), 0), RangeError);
    await assert.rejects(store().complete(newId(), Number.NaN), RangeError);
  });
}
