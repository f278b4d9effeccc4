import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEndpointUrl, isBlockedAddress } from '../src/core/address-policy.js';
import { checkResolvedHost } from '../src/dispatch/address-guard.js';
import { nextRetryDelay, parseRetryAfter } from '../src/core/backoff.js';
import { parseDuration, parseSchedule } from '../src/core/duration.js';
import { envelopeBody } from '../src/core/envelope.js';
import { delayBucket, histogramQuantile } from '../src/core/histogram.js';
import { windowOf } from '../src/store/stats-window.js';
import { isId, newId } from '../src/core/ids.js';
import { activeSecrets, generateSecret, isValidSecret, rotateSecrets } from '../src/core/secrets.js';
import { APP_TOKEN_PREFIX, newAppToken, tokenHash } from '../src/core/tokens.js';
import { ConfigError, resolveServeConfig } from '../src/config/config.js';
import { purgeIntervalMs } from '../src/runtime/retention-purger.js';
import { decodeCursor, encodeCursor, InvalidIteratorError } from '../src/store/paging.js';

describe('backoff (fake clock, fixed random)', () => {
  const schedule = [5_000, 300_000, 1_800_000];
  it('applies ±20 % jitter around the scheduled delay', () => {
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 1, random: () => 0 }), 4_000);
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 1, random: () => 0.5 }), 5_000);
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 2, random: () => 0.9999999 }), 360_000);
  });
  it('returns null once the schedule is exhausted', () => {
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 4, random: () => 0.5 }), null);
  });
  it('clamps Retry-After to [scheduled, 2 × scheduled] without jitter', () => {
    const r = () => 0;
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 1, retryAfterMs: 1_000, random: r }), 5_000);
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 1, retryAfterMs: 7_000, random: r }), 7_000);
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 1, retryAfterMs: 60_000, random: r }), 10_000);
    // On the last retry the last schedule entry is the scheduled delay.
    assert.equal(nextRetryDelay({ schedule, attemptsMade: 3, retryAfterMs: 9e9, random: r }), 3_600_000);
  });
  it('parses Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('9'.repeat(8000), now), 1e12, 'too many digits for a number: the longest wait');
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('Monday, 23-Nov-26 10:00:30 GMT', now), 30_000, 'RFC 850');
    assert.equal(parseRetryAfter('soon', now), null);
    for (const bad of ['1.5', '-1', '+5', 'Foo 12', '2026-11-23T10:01:00Z']) {
      assert.equal(parseRetryAfter(bad, now), null, `${bad}: not seconds, not an HTTP-date`);
    }
    assert.equal(parseRetryAfter(undefined, now), null);
  });
});

describe('durations', () => {
  it('parses units and schedules', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('5s'), 5_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('7'), 7_000);
    assert.equal(parseDuration('5 parsecs'), null);
    assert.deepEqual(parseSchedule('5s,5m,30m,2h,5h,10h,10h'), [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    assert.equal(parseSchedule('5s,,5m'), null);
    assert.equal(parseSchedule(''), null);
  });
});

describe('address policy', () => {
  const refused = [
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '127.0.0.1',
    '127.255.0.9',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.1.1.1',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fdff::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a00:1',
    '[::1]',
    '0:0:0:0:0:ffff:192.168.0.1',
    '64:ff9b:1::a00:1', // local-use NAT64 (RFC 8215)
    '::ffff:0:10.0.0.1', // SIIT
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    'fec0::1', // site-local
  ];
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.32.0.1',
    '192.0.1.1',
    '198.20.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1', // 6to4 of 8.8.8.8
    'example.com',
  ];
  for (const address of refused)
    it(`refuses ${address}`, () => assert.equal(isBlockedAddress(address), true));
  for (const address of allowed)
    it(`allows ${address}`, () => assert.equal(isBlockedAddress(address), false));
  it('checks URL form and host', () => {
    assert.equal(checkEndpointUrl('https://example.com/hook', false), null);
    assert.match(checkEndpointUrl('http://localhost:3000', false)!, /private/);
    assert.match(checkEndpointUrl('http://localhost.:3000', false)!, /private/);
    assert.match(checkEndpointUrl('http://a.localhost./x', false)!, /private/);
    assert.match(checkEndpointUrl('http://127.1/', false)!, /private/);
    assert.match(checkEndpointUrl('http://0x7f000001/', false)!, /private/);
    assert.match(checkEndpointUrl('ftp://example.com', false)!, /http/);
    assert.match(checkEndpointUrl('https://user:pw@example.com', false)!, /credentials/);
    assert.equal(checkEndpointUrl('http://127.0.0.1:9000/x', true), null);
  });
  it('refuses a name that resolves to a refused address at creation, accepts one that does not resolve', async () => {
    const names: Record<string, string[]> = { 'inside.test': ['93.184.216.34', '10.0.0.7'], 'public.test': ['93.184.216.34'] };
    const resolve = async (host: string) => {
      if (host === 'slow.test') return new Promise<never>(() => undefined);
      const found = names[host];
      if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address }));
    };
    assert.match((await checkResolvedHost('inside.test', 2_000, resolve))!, /resolves to a private.*10\.0\.0\.7/);
    assert.equal(await checkResolvedHost('public.test', 2_000, resolve), null);
    assert.equal(await checkResolvedHost('nowhere.test', 2_000, resolve), null, 'checked again at each attempt');
    assert.equal(await checkResolvedHost('slow.test', 20, resolve), null, 'a slow resolver does not hold creation');
    assert.equal(await checkResolvedHost('8.8.8.8', 2_000, resolve), null, 'literals are judged by their form');
  });
});

describe('ids, envelope, secrets, histogram, iterators', () => {
  it('makes prefixed, time-sortable ids without dots', () => {
    const a = newId('msg', 1_000);
    const b = newId('msg', 2_000);
    assert.match(a, /^msg_[0-9A-Z]{26}$/);
    assert.ok(a < b);
    assert.ok(isId(a, 'msg'));
    assert.ok(!isId(a, 'ep'));
    assert.ok(!isId('msg_a.b', 'msg'));
  });
  it('builds the exact envelope bytes', () => {
    assert.equal(
      envelopeBody('order.paid', Date.parse('2026-11-23T10:00:00Z'), '{"a":1}'),
      '{"type":"order.paid","timestamp":"2026-11-23T10:00:00.000Z","data":{"a":1}}',
    );
  });
  it('generates whsec_ secrets and keeps rotated ones until they expire', () => {
    const secret = generateSecret();
    assert.ok(isValidSecret(secret), secret);
    assert.ok(!isValidSecret('whsec_c2hvcnQ='));
    // A stray last character, which Buffer would drop and a web verifier (atob) refuses.
    const unpadded = `whsec_${Buffer.alloc(24, 7).toString('base64')}`; // 32 characters, no padding
    assert.ok(isValidSecret(unpadded));
    assert.ok(!isValidSecret(`${unpadded}A`), 'one character past whole base64');
    assert.ok(!isValidSecret(secret.slice(6)), 'the whsec_ prefix is required');
    assert.deepEqual(
      activeSecrets(
        [
          { secret: 'new', expiresAt: null },
          { secret: 'old', expiresAt: 100 },
        ],
        50,
      ),
      ['new', 'old'],
    );
    assert.deepEqual(
      activeSecrets(
        [
          { secret: 'new', expiresAt: null },
          { secret: 'old', expiresAt: 100 },
        ],
        100,
      ),
      ['new'],
    );
  });
  it('rotates secrets: the old one expires after the overlap, at most four are kept, expired ones go', () => {
    let secrets = [{ secret: 's0', expiresAt: null as number | null }];
    secrets = rotateSecrets(secrets, 's1', 0, 100);
    assert.deepEqual(secrets, [
      { secret: 's1', expiresAt: null },
      { secret: 's0', expiresAt: 100 },
    ]);
    for (let i = 2; i <= 7; i++) secrets = rotateSecrets(secrets, `s${i}`, i, 100 + i);
    assert.deepEqual(
      secrets.map((s) => s.secret),
      ['s7', 's6', 's5', 's4', 's3'],
    );
    assert.deepEqual(rotateSecrets(secrets, 's8', 500, 600), [
      { secret: 's8', expiresAt: null },
      { secret: 's7', expiresAt: 600 },
    ]);
  });
  it('makes app tokens with a prefix and hashes them with SHA-256', () => {
    const token = newAppToken();
    assert.ok(token.startsWith(APP_TOKEN_PREFIX) && token.length > 40);
    assert.notEqual(newAppToken(), token);
    assert.equal(tokenHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('estimates quantiles within a bucket width', () => {
    const counts = new Map<number, number>();
    for (let ms = 1; ms <= 1000; ms++) counts.set(delayBucket(ms), (counts.get(delayBucket(ms)) ?? 0) + 1);
    const p50 = histogramQuantile(counts, 0.5)!;
    const p99 = histogramQuantile(counts, 0.99)!;
    assert.ok(Math.abs(p50 - 500) / 500 < 0.1, `p50 ${p50}`);
    assert.ok(Math.abs(p99 - 990) / 990 < 0.1, `p99 ${p99}`);
    assert.equal(histogramQuantile(new Map(), 0.5), null);
  });
  it("reads at most half of since's minute from rows: the shorter stretch, before or after since", () => {
    const minute = 1_800_000_000_000;
    assert.deepEqual(windowOf(null), { countersFrom: 0, rows: null });
    assert.deepEqual(windowOf(minute), { countersFrom: minute, rows: null });
    assert.deepEqual(windowOf(minute + 20_000), {
      countersFrom: minute,
      rows: { from: minute, to: minute + 20_000, sign: -1 },
    });
    assert.deepEqual(windowOf(minute + 44_000), {
      countersFrom: minute + 60_000,
      rows: { from: minute + 44_000, to: minute + 60_000, sign: 1 },
    });
  });
  it('reads one delay, or delays in one bucket, the same at every quantile, and small delays exactly', () => {
    const of = (...delays: number[]) => {
      const counts = new Map<number, number>();
      for (const ms of delays) counts.set(delayBucket(ms), (counts.get(delayBucket(ms)) ?? 0) + 1);
      return [0.5, 0.95, 0.99].map((q) => histogramQuantile(counts, q));
    };
    assert.deepEqual(of(4), [4, 4, 4]);
    assert.deepEqual(of(4, 4, 4, 11), [4, 11, 11]);
    assert.deepEqual(of(3, 5, 7, 9, 11), [7, 11, 11]);
    const [p50, p95, p99] = of(2334);
    assert.ok(p50 === p95 && p95 === p99 && Math.abs(p50! - 2334) / 2334 < 0.05, `${p50}`);
    for (const value of of(2334, 4)) assert.ok(Number.isInteger(value), 'whole milliseconds');
  });
  it('round-trips iterators and rejects forged ones', () => {
    const cursor = { createdAt: 1_795_000_000_000, id: 'msg_01ABC' };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
    assert.throws(() => decodeCursor('not-base64!'), InvalidIteratorError);
    assert.throws(() => decodeCursor(Buffer.from('x|y').toString('base64url')), InvalidIteratorError);
    // Damaged in transit or edited: cut short, lengthened, or a position of the caller's own making.
    const iterator = encodeCursor(cursor);
    for (const damaged of [iterator.slice(0, -1), iterator.slice(0, -5), `${iterator}x`, `${iterator}AA`]) {
      assert.throws(() => decodeCursor(damaged), InvalidIteratorError, damaged);
    }
    const forged = Buffer.from(`${cursor.createdAt}|msg_01ABD|${'A'.repeat(8)}`).toString('base64url');
    assert.throws(() => decodeCursor(forged), InvalidIteratorError);
  });
});

describe('serve configuration', () => {
  it('reads --retention and --operational-webhook-url, and refuses bad values with one line', () => {
    const defaults = resolveServeConfig({}, {});
    assert.equal(defaults.retentionMs, 30 * 86_400_000);
    assert.equal(defaults.operationalWebhookUrl, null);
    assert.equal(defaults.strictEventTypes, false);
    const env = resolveServeConfig(
      {},
      {
        HOOKLINE_RETENTION: '7d',
        HOOKLINE_STRICT_EVENT_TYPES: '1',
        HOOKLINE_OPERATIONAL_WEBHOOK_URL: 'https://ops.example.com/hook',
      },
    );
    assert.deepEqual(
      [env.retentionMs, env.strictEventTypes, env.operationalWebhookUrl],
      [7 * 86_400_000, true, 'https://ops.example.com/hook'],
    );
    assert.throws(() => resolveServeConfig({ retention: 'forever' }, {}), /--retention/);
    assert.throws(() => resolveServeConfig({ operationalWebhookUrl: 'ftp://x/' }, {}), ConfigError);
    assert.throws(
      () => resolveServeConfig({ operationalWebhookUrl: 'http://127.0.0.1/ops' }, {}),
      /--operational-webhook-url points to a private/,
    );
    assert.equal(
      resolveServeConfig({ operationalWebhookUrl: 'http://127.0.0.1/ops', allowPrivateNetwork: true }, {})
        .operationalWebhookUrl,
      'http://127.0.0.1/ops',
    );
    assert.deepEqual([purgeIntervalMs(1000), purgeIntervalMs(30 * 86_400_000)], [100, 60_000]);
  });

  it('says what --db takes when given a URL of another database, and which words a switch takes', () => {
    assert.throws(
      () => resolveServeConfig({ db: 'mysql://root@127.0.0.1/x' }, {}),
      /^ConfigError: --db must be a SQLite file path or a postgres:\/\/ URL, not a mysql:\/\/ URL$/,
    );
    assert.equal(resolveServeConfig({ db: 'data/hooks.db' }, {}).db, 'data/hooks.db');
    assert.equal(resolveServeConfig({}, { HOOKLINE_STRICT_EVENT_TYPES: 'on' }).strictEventTypes, true);
    assert.throws(
      () => resolveServeConfig({}, { HOOKLINE_STRICT_EVENT_TYPES: 'maybe' }),
      /HOOKLINE_STRICT_EVENT_TYPES must be 1\/true\/yes\/on or 0\/false\/no\/off, got "maybe"/,
    );
  });
});
