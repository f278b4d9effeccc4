import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../src/dispatch/rate-limit.js';

describe('RateLimiter (per-endpoint token buckets, on a fake clock)', () => {
  it('lets a burst of one second’s worth through at once, then `rate` per second', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 5; i++) assert.equal(limiter.take('ep', 5, 1_000), 0);
    assert.equal(limiter.take('ep', 5, 1_000), 200); // the next token in 1/5 s
    assert.equal(limiter.take('ep', 5, 1_100), 100);
    assert.equal(limiter.take('ep', 5, 1_200), 0);
    assert.equal(limiter.take('ep', 5, 1_200), 200);
  });

  it('never holds more than one second’s worth after a long idle time', () => {
    const limiter = new RateLimiter();
    assert.equal(limiter.take('ep', 2, 0), 0);
    const taken = Array.from({ length: 4 }, () => limiter.take('ep', 2, 60_000)).filter((w) => w === 0);
    assert.equal(taken.length, 2);
  });

  it('keeps endpoints apart and starts over, full, when an endpoint’s rate changes', () => {
    const limiter = new RateLimiter();
    assert.equal(limiter.take('a', 1, 0), 0);
    assert.equal(limiter.take('a', 1, 0), 1_000);
    assert.equal(limiter.take('b', 1, 0), 0);
    assert.equal(limiter.take('a', 3, 0), 0);
  });

  it('answers in whole milliseconds, at least 1, for high rates', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 100_000; i++) limiter.take('fast', 100_000, 0);
    assert.equal(limiter.take('fast', 100_000, 0), 1);
  });
});
