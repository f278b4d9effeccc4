import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppRateLimit } from '../src/api/app-rate-limit.js';
import { HttpError } from '../src/api/errors.js';
import { RateLimiter } from '../src/core/rate-limiter.js';

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

describe('AppRateLimit (--api-rate-limit, on a fake clock)', () => {
  it('admits each app up to its limit per second and refuses the rest with 429 and Retry-After', () => {
    let now = 0;
    const limit = new AppRateLimit(2, () => now);
    limit.admit('app_a');
    limit.admit('app_a');
    const refused = (() => {
      try {
        limit.admit('app_a');
      } catch (error) {
        return error as HttpError;
      }
      return null;
    })();
    assert.ok(refused instanceof HttpError);
    assert.deepEqual([refused.status, refused.code, refused.headers], [429, 'rate_limited', { 'retry-after': '1' }]);
    limit.admit('app_b'); // a bucket of its own
    now = 500; // one token back
    limit.admit('app_a');
    assert.throws(() => limit.admit('app_a'), HttpError);
  });

  it('admits everything with a limit of 0', () => {
    const limit = new AppRateLimit(0, () => 0);
    for (let i = 0; i < 10_000; i++) limit.admit('app_a');
  });
});
