import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  generateSigningKeyPair,
  isWebhookVerificationError,
  signWebhook,
  type VerificationErrorCode,
  verifyWebhook,
  WebhookVerificationError,
} from '../src/index.js';
import { SECRET, VECTOR } from './helpers.js';

const NOW = 1_795_000_000;
const at = (seconds: number) => ({ now: () => seconds * 1000 });
const BODY =
  '{"type":"order.paid","timestamp":"2026-11-19T10:00:00.000Z","data":{"orderId":"ord_1","amount":4200}}';

function signed(body = BODY, timestamp = NOW, secret: string | string[] = SECRET) {
  return signWebhook(secret, { id: 'msg_2k3j4', timestamp, body });
}

function rejects(code: VerificationErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(
      error instanceof WebhookVerificationError,
      `expected WebhookVerificationError, got ${String(error)}`,
    );
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const vectorHeaders = {
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
};

describe('verifyWebhook: accepted requests', () => {
  test('the Standard Webhooks test vector verifies and returns the parsed body', () => {
    const event = verifyWebhook(VECTOR.secret, VECTOR.body, vectorHeaders, at(VECTOR.timestamp));
    assert.deepEqual(event, { test: 2432232314 });
  });

  test('signWebhook reproduces the test vector signature', () => {
    const headers = signWebhook(VECTOR.secret, {
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    assert.equal(headers['webhook-signature'], VECTOR.signature);
    assert.equal(headers['webhook-timestamp'], '1614265330');
  });

  test('the body may be a string, a Buffer or a Uint8Array view into a larger buffer', () => {
    const headers = signed();
    const typed = {
      type: 'order.paid',
      timestamp: '2026-11-19T10:00:00.000Z',
      data: { orderId: 'ord_1', amount: 4200 },
    };
    assert.deepEqual(verifyWebhook(SECRET, BODY, headers, at(NOW)), typed);
    assert.deepEqual(verifyWebhook(SECRET, Buffer.from(BODY), headers, at(NOW)), typed);
    const padded = new TextEncoder().encode(`xxxx${BODY}yyyy`);
    const view = padded.subarray(4, 4 + Buffer.byteLength(BODY));
    assert.deepEqual(verifyWebhook(SECRET, view, headers, at(NOW)), typed);
  });

  test('the result is typed by the generic parameter', () => {
    const event = verifyWebhook<{ orderId: string; amount: number }>(SECRET, BODY, signed(), at(NOW));
    assert.equal(event.type, 'order.paid');
    assert.equal(event.data.amount + 1, 4201);
  });

  test('header names are case-insensitive in a plain object', () => {
    const headers = signed();
    const upper = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    };
    assert.equal(verifyWebhook(SECRET, BODY, upper, at(NOW)).type, 'order.paid');
  });

  test('a fetch Headers object works', () => {
    assert.equal(verifyWebhook(SECRET, BODY, new Headers(signed()), at(NOW)).type, 'order.paid');
  });

  test('svix-* header names are accepted', () => {
    const headers = signed();
    const svix = {
      'svix-id': headers['webhook-id'],
      'svix-timestamp': headers['webhook-timestamp'],
      'svix-signature': headers['webhook-signature'],
    };
    assert.equal(verifyWebhook(SECRET, BODY, svix, at(NOW)).type, 'order.paid');
    assert.equal(verifyWebhook(SECRET, BODY, new Headers(svix), at(NOW)).type, 'order.paid');
  });

  test('Node IncomingHttpHeaders with string-array values (repeated headers) work', () => {
    const headers = signed();
    const forged = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    const node: Record<string, string | string[]> = {
      'webhook-id': [headers['webhook-id']],
      'webhook-timestamp': [headers['webhook-timestamp']],
      'webhook-signature': [forged, headers['webhook-signature']],
    };
    assert.equal(verifyWebhook(SECRET, BODY, node, at(NOW)).type, 'order.paid');
  });

  test('repeated signature headers joined with ", " (as Node and Headers.get do) work', () => {
    const good = signed()['webhook-signature'];
    const forged = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    const headers = new Headers({ 'webhook-id': 'msg_2k3j4', 'webhook-timestamp': String(NOW) });
    headers.append('webhook-signature', forged);
    headers.append('webhook-signature', good);
    assert.equal(headers.get('webhook-signature'), `${forged}, ${good}`);
    assert.equal(verifyWebhook(SECRET, BODY, headers, at(NOW)).type, 'order.paid');
  });

  test('several space-separated signatures pass when any one matches (rotation)', () => {
    const oldSecret = 'whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZA==';
    const headers = signed(BODY, NOW, [oldSecret, SECRET]);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    assert.equal(verifyWebhook(SECRET, BODY, headers, at(NOW)).type, 'order.paid');
    assert.equal(verifyWebhook(oldSecret, BODY, headers, at(NOW)).type, 'order.paid');
    const unknownVersions = {
      ...headers,
      'webhook-signature': `v9,abc v1 garbage ${headers['webhook-signature']}`,
    };
    assert.equal(verifyWebhook(SECRET, BODY, unknownVersions, at(NOW)).type, 'order.paid');
  });

  test('the receiver may hold several keys and passes when any matches', () => {
    const headers = signed();
    const other = 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==';
    assert.equal(verifyWebhook([other, SECRET], BODY, headers, at(NOW)).type, 'order.paid');
  });

  test('a secret without the whsec_ prefix is read as bare base64, like standardwebhooks does', () => {
    const bare = SECRET.slice('whsec_'.length);
    assert.equal(verifyWebhook(bare, BODY, signed(), at(NOW)).type, 'order.paid');
  });

  test('now may return a Date', () => {
    assert.equal(
      verifyWebhook(SECRET, BODY, signed(), { now: () => new Date(NOW * 1000) }).type,
      'order.paid',
    );
  });
});

describe('verifyWebhook: v1a (ed25519)', () => {
  const pair = generateSigningKeyPair();

  test('a whpk_ public key verifies a v1a signature made with the whsk_ private key', () => {
    const headers = signWebhook(pair.privateKey, { id: 'msg_ed', timestamp: NOW, body: BODY });
    assert.match(headers['webhook-signature'], /^v1a,[A-Za-z0-9+/]{86}==$/);
    assert.equal(verifyWebhook(pair.publicKey, BODY, headers, at(NOW)).type, 'order.paid');
    assert.equal(
      verifyWebhook(pair.publicKey, Buffer.from(BODY), new Headers(headers), at(NOW)).type,
      'order.paid',
    );
  });

  test('another key pair, a tampered body and a v1-only header all fail', () => {
    const headers = signWebhook(pair.privateKey, { id: 'msg_ed', timestamp: NOW, body: BODY });
    const other = generateSigningKeyPair();
    rejects('no_matching_signature', () => verifyWebhook(other.publicKey, BODY, headers, at(NOW)));
    rejects('no_matching_signature', () => verifyWebhook(pair.publicKey, `${BODY} `, headers, at(NOW)));
    rejects('no_matching_signature', () => verifyWebhook(pair.publicKey, BODY, signed(), at(NOW)));
  });

  test('a v1a signature is not checked against an HMAC secret', () => {
    const headers = signWebhook(pair.privateKey, { id: 'msg_ed', timestamp: NOW, body: BODY });
    rejects('no_matching_signature', () => verifyWebhook(SECRET, BODY, headers, at(NOW)));
  });

  test('a header with both v1 and v1a entries passes with either key', () => {
    const headers = signWebhook([SECRET, pair.privateKey], { id: 'msg_mix', timestamp: NOW, body: BODY });
    assert.equal(verifyWebhook(SECRET, BODY, headers, at(NOW)).type, 'order.paid');
    assert.equal(verifyWebhook(pair.publicKey, BODY, headers, at(NOW)).type, 'order.paid');
  });
});

describe('verifyWebhook: every failure mode has its code', () => {
  test('missing_headers: each header absent, or empty', () => {
    const headers = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      rejects('missing_headers', () => verifyWebhook(SECRET, BODY, rest, at(NOW)));
      rejects('missing_headers', () => verifyWebhook(SECRET, BODY, { ...headers, [name]: '  ' }, at(NOW)));
    }
    rejects('missing_headers', () => verifyWebhook(SECRET, BODY, {}, at(NOW)));
    rejects('missing_headers', () => verifyWebhook(SECRET, BODY, new Headers(), at(NOW)));
  });

  test('no_matching_signature: a signature whose unused padding bits were changed (the reference verifier refuses it too)', () => {
    const altered = { ...vectorHeaders, 'webhook-signature': VECTOR.signature.replace(/E=$/, 'F=') };
    assert.notEqual(altered['webhook-signature'], VECTOR.signature);
    rejects('no_matching_signature', () => verifyWebhook(VECTOR.secret, VECTOR.body, altered, at(VECTOR.timestamp)));
    const unpadded = { ...vectorHeaders, 'webhook-signature': VECTOR.signature.replace(/=$/, '') };
    rejects('no_matching_signature', () => verifyWebhook(VECTOR.secret, VECTOR.body, unpadded, at(VECTOR.timestamp)));
  });

  test('invalid_timestamp: anything but unix seconds', () => {
    for (const bad of ['abc', '12abc', '1e9', '-5', '1795000000.5', '0x6AFC']) {
      rejects('invalid_timestamp', () =>
        verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-timestamp': bad }, at(NOW)),
      );
    }
  });

  test('timestamp_too_old and timestamp_too_new around the default 300 s tolerance', () => {
    assert.equal(verifyWebhook(SECRET, BODY, signed(BODY, NOW - 300), at(NOW)).type, 'order.paid');
    assert.equal(verifyWebhook(SECRET, BODY, signed(BODY, NOW + 300), at(NOW)).type, 'order.paid');
    rejects('timestamp_too_old', () => verifyWebhook(SECRET, BODY, signed(BODY, NOW - 301), at(NOW)));
    rejects('timestamp_too_new', () => verifyWebhook(SECRET, BODY, signed(BODY, NOW + 301), at(NOW)));
  });

  test('toleranceSeconds changes the window in both directions', () => {
    const options = { ...at(NOW), toleranceSeconds: 10 };
    assert.equal(verifyWebhook(SECRET, BODY, signed(BODY, NOW - 10), options).type, 'order.paid');
    rejects('timestamp_too_old', () => verifyWebhook(SECRET, BODY, signed(BODY, NOW - 11), options));
    rejects('timestamp_too_new', () => verifyWebhook(SECRET, BODY, signed(BODY, NOW + 11), options));
    const wide = { ...at(NOW), toleranceSeconds: 3600 };
    assert.equal(verifyWebhook(SECRET, BODY, signed(BODY, NOW - 3600), wide).type, 'order.paid');
    assert.throws(() => verifyWebhook(SECRET, BODY, signed(), { toleranceSeconds: -1 }), TypeError);
  });

  test('the default clock is the real time', () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal(verifyWebhook(SECRET, BODY, signed(BODY, now)).type, 'order.paid');
    rejects('timestamp_too_old', () => verifyWebhook(SECRET, BODY, signed(BODY, now - 1000)));
  });

  test('no_matching_signature: wrong secret, changed body, id or timestamp, forged or malformed entries', () => {
    const headers = signed();
    const good = headers['webhook-signature'];
    rejects('no_matching_signature', () =>
      verifyWebhook('whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==', BODY, headers, at(NOW)),
    );
    rejects('no_matching_signature', () =>
      verifyWebhook(SECRET, BODY.replace('4200', '4201'), headers, at(NOW)),
    );
    rejects('no_matching_signature', () => verifyWebhook(SECRET, `${BODY}\n`, headers, at(NOW)));
    rejects('no_matching_signature', () =>
      verifyWebhook(SECRET, BODY, { ...headers, 'webhook-id': 'msg_other' }, at(NOW)),
    );
    rejects('no_matching_signature', () =>
      verifyWebhook(SECRET, BODY, { ...headers, 'webhook-timestamp': String(NOW + 1) }, at(NOW)),
    );
    const malformed = [
      `v2,${good.slice(3)}`,
      good.slice(3),
      'v1,',
      'v1',
      `v1,${good.slice(3, -4)}`,
      `v1,${good.slice(3)}AAAA`,
      `v1,${Buffer.alloc(32).toString('base64')}`,
      `v1,${'A'.repeat(10_000)}`,
    ];
    for (const signature of malformed) {
      rejects('no_matching_signature', () =>
        verifyWebhook(SECRET, BODY, { ...headers, 'webhook-signature': signature }, at(NOW)),
      );
    }
  });

  test('invalid_secret: empty, non-base64, wrong key kind or length, no key at all', () => {
    const headers = signed();
    const pair = generateSigningKeyPair();
    const bad = ['whsec_', 'whsec_not base64!', '', 'whpk_AAAA', pair.privateKey];
    for (const key of bad) rejects('invalid_secret', () => verifyWebhook(key, BODY, headers, at(NOW)));
    rejects('invalid_secret', () => verifyWebhook([], BODY, headers, at(NOW)));
    rejects('invalid_secret', () => verifyWebhook(undefined as unknown as string, BODY, headers, at(NOW)));
  });

  test('invalid_body: a correctly signed body that is not a JSON object', () => {
    for (const body of ['not json', '[1,2]', 'null', '42', '']) {
      const headers = signWebhook(SECRET, { id: 'msg_body', timestamp: NOW, body });
      rejects('invalid_body', () => verifyWebhook(SECRET, body, headers, at(NOW)));
    }
  });

  test('a parsed object instead of the raw body is raw_body_required, saying what to pass', () => {
    rejects('raw_body_required', () => verifyWebhook(SECRET, JSON.parse(BODY) as string, signed(), at(NOW)));
    assert.throws(
      () => verifyWebhook(SECRET, JSON.parse(BODY) as string, signed(), at(NOW)),
      /raw request body as a string, Buffer or Uint8Array, got an object: read it before any JSON parsing/,
    );
    rejects('raw_body_required', () => verifyWebhook(SECRET, undefined as unknown as string, signed(), at(NOW)));
  });

  test('the error carries name, code and message, and is recognised across copies', () => {
    try {
      verifyWebhook(SECRET, BODY, {}, at(NOW));
      assert.fail('expected a throw');
    } catch (error) {
      assert.ok(isWebhookVerificationError(error));
      assert.equal(error.name, 'WebhookVerificationError');
      assert.match(error.message, /webhook-id/);
    }
    const lookalike = Object.assign(new Error('x'), {
      name: 'WebhookVerificationError',
      code: 'invalid_body',
    });
    assert.ok(isWebhookVerificationError(lookalike));
    assert.ok(!isWebhookVerificationError(new Error('x')));
  });

  test('checks run in order: key, headers, timestamp, signature, body', () => {
    rejects('invalid_secret', () => verifyWebhook('whsec_', 'x', {}, at(NOW)));
    rejects('missing_headers', () => verifyWebhook(SECRET, 'x', { 'webhook-timestamp': 'abc' }, at(NOW)));
    const stale = signWebhook(SECRET, { id: 'msg_o', timestamp: NOW - 1000, body: 'not json' });
    rejects('timestamp_too_old', () => verifyWebhook(SECRET, 'not json', stale, at(NOW)));
    const forged = { ...signed('not json'), 'webhook-signature': 'v1,AAAA' };
    rejects('no_matching_signature', () => verifyWebhook(SECRET, 'not json', forged, at(NOW)));
  });
});
