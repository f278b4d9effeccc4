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

describe('AppRateLimit shared by processes (PostgreSQL\'s bucket, faked here on a fake clock)', () => {
  /** One bucket per app, as the database keeps it; counts the times it was asked. */
  function sharedBucket(clock: () => number) {
    const limiter = new RateLimiter();
    const bucket = {
      asked: 0,
      take: async (appId: string, rate: number, wanted: number) => {
        bucket.asked += 1;
        for (let taken = 0; taken < wanted; taken++) {
          const waitMs = limiter.take(appId, rate, clock());
          if (waitMs > 0) return { taken, waitMs };
        }
        return { taken: wanted, waitMs: 0 };
      },
    };
    return bucket;
  }
  /** admit throws at once when the answer is known here, or returns the promise of asking the bucket. */
  const attempt = (limit: AppRateLimit, appId: string) => Promise.resolve().then(() => limit.admit(appId));
  const outcome = (settled: PromiseSettledResult<void>) =>
    settled.status === 'fulfilled' ? 'admitted' : (settled.reason as HttpError).code;

  it('admits an app up to its limit across every process, then 429 with Retry-After', async () => {
    let now = 0;
    const bucket = sharedBucket(() => now);
    const processes = [new AppRateLimit(4, () => now, bucket.take), new AppRateLimit(4, () => now, bucket.take)];
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(outcome((await Promise.allSettled([attempt(processes[i % 2]!, 'app_a')]))[0]!));
    }
    assert.deepEqual(results, ['admitted', 'admitted', 'admitted', 'admitted', 'rate_limited', 'rate_limited']);
    const refused = await attempt(processes[0]!, 'app_a').catch((error: unknown) => error as HttpError);
    assert.deepEqual([refused?.status, refused?.headers], [429, { 'retry-after': '1' }]);
    await processes[1]!.admit('app_b'); // a bucket of its own
    now = 300; // one token back (4 per second)
    await processes[1]!.admit('app_a');
  });

  it('shares one question to the bucket among the requests waiting on it, and answers the rest 429', async () => {
    const bucket = sharedBucket(() => 0);
    const limit = new AppRateLimit(4, () => 0, bucket.take);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => attempt(limit, 'app_a')));
    const counts = settled.map(outcome).reduce<Record<string, number>>((c, o) => ({ ...c, [o]: (c[o] ?? 0) + 1 }), {});
    assert.deepEqual(counts, { admitted: 4, rate_limited: 6 });
    assert.equal(bucket.asked, 5, 'a token at a time (a twentieth of 4 per second), and once more to find it empty');
    // Known empty: answered here, without asking the bucket, until a token is due.
    await assert.rejects(attempt(limit, 'app_a'), HttpError);
    assert.equal(bucket.asked, 5);
  });

  it('spends a grant locally, and drops what is left of it after a second', async () => {
    let now = 0;
    const bucket = sharedBucket(() => now);
    const limit = new AppRateLimit(40, () => now, bucket.take); // grants of 2 (a twentieth of a second's worth)
    await limit.admit('app_a');
    assert.equal(limit.admit('app_a'), undefined, 'the grant\'s second token, without asking');
    await limit.admit('app_a');
    assert.equal(bucket.asked, 2);
    now = 1_001; // the token left of the second grant is gone
    await limit.admit('app_a');
    assert.equal(bucket.asked, 3);
  });
});

