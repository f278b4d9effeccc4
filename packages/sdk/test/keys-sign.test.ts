import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeSecret,
  generateSecret,
  generateSigningKeyPair,
  publicKeyOf,
  signWebhook,
  verifyWebhook,
} from '../src/index.js';
import { SECRET } from './helpers.js';

const BODY = '{"type":"order.paid","timestamp":"2026-11-19T10:00:00.000Z","data":{}}';

describe('keys', () => {
  test('generateSecret makes distinct whsec_ secrets of the asked size', () => {
    const a = generateSecret();
    const b = generateSecret(64);
    assert.match(a, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
    assert.notEqual(a, generateSecret());
    assert.equal(decodeSecret(a).length, 32);
    assert.equal(decodeSecret(b).length, 64);
    assert.throws(() => generateSecret(8), RangeError);
    assert.throws(() => generateSecret(65), RangeError);
  });

  test('generateSigningKeyPair makes a 32-byte whsk_ seed and a 32-byte whpk_ key that belong together', () => {
    const pair = generateSigningKeyPair();
    assert.equal(Buffer.from(pair.privateKey.slice(5), 'base64').length, 32);
    assert.equal(Buffer.from(pair.publicKey.slice(5), 'base64').length, 32);
    assert.equal(publicKeyOf(pair.privateKey), pair.publicKey);
    assert.notEqual(generateSigningKeyPair().publicKey, pair.publicKey);
  });

  test('a 64-byte libsodium-style whsk_ (seed then public key) signs like the 32-byte seed', () => {
    const pair = generateSigningKeyPair();
    const seed = Buffer.from(pair.privateKey.slice(5), 'base64');
    const pub = Buffer.from(pair.publicKey.slice(5), 'base64');
    const long = `whsk_${Buffer.concat([seed, pub]).toString('base64')}`;
    const input = { id: 'msg_ls', timestamp: 1_795_000_000, body: BODY };
    // ed25519 signatures are deterministic, so both forms give the same header.
    assert.deepEqual(signWebhook(long, input), signWebhook(pair.privateKey, input));
    assert.equal(publicKeyOf(long), pair.publicKey);
    const spliced = `whsk_${Buffer.concat([seed, Buffer.alloc(32, 1)]).toString('base64')}`;
    assert.throws(() => signWebhook(spliced, input), { code: 'invalid_secret' });
  });

  test('a public key cannot sign and a secret is no private key', () => {
    const pair = generateSigningKeyPair();
    assert.throws(() => signWebhook(pair.publicKey, { id: 'm', body: BODY }), { code: 'invalid_secret' });
    assert.throws(() => publicKeyOf(SECRET), { code: 'invalid_secret' });
    assert.throws(() => signWebhook('whsk_AAAA', { id: 'm', body: BODY }), { code: 'invalid_secret' });
  });
});

describe('signWebhook', () => {
  test('signs with the current time by default, which verifies with the default clock', () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = signWebhook(SECRET, { id: 'msg_now', body: BODY });
    const stamped = Number(headers['webhook-timestamp']);
    assert.ok(stamped >= before && stamped <= Math.floor(Date.now() / 1000));
    assert.equal(verifyWebhook(SECRET, BODY, headers).type, 'order.paid');
  });

  test('accepts a Date, and signs Buffer bodies like the same text', () => {
    const date = new Date('2026-11-19T10:00:00.999Z');
    const fromDate = signWebhook(SECRET, { id: 'msg_d', timestamp: date, body: Buffer.from(BODY) });
    assert.equal(fromDate['webhook-timestamp'], String(Math.floor(date.getTime() / 1000)));
    assert.deepEqual(
      fromDate,
      signWebhook(SECRET, { id: 'msg_d', timestamp: Math.floor(date.getTime() / 1000), body: BODY }),
    );
  });

  test('refuses ids a header cannot carry and timestamps that are not unix seconds', () => {
    assert.throws(() => signWebhook(SECRET, { id: '', body: BODY }), TypeError);
    assert.throws(() => signWebhook(SECRET, { id: 'a b', body: BODY }), TypeError);
    assert.throws(() => signWebhook(SECRET, { id: 'm', timestamp: 1.5, body: BODY }), RangeError);
    assert.throws(() => signWebhook(SECRET, { id: 'm', timestamp: -1, body: BODY }), RangeError);
  });
});
