import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signWebhook, verifyWebhook, WebhookVerificationError } from '../src/index.js';
import { VECTOR } from './helpers.js';

function randomBody(): string {
  const text = randomBytes(24).toString('base64');
  return JSON.stringify({
    type: 'user.registered',
    timestamp: new Date().toISOString(),
    data: { text, emoji: '🎉', n: Math.random() },
  });
}

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch {
    return 'rejected';
  }
}

describe('interop with the official standardwebhooks package', () => {
  test('both compute the test vector signature', () => {
    const theirs = new Webhook(VECTOR.secret).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body);
    const ours = signWebhook(VECTOR.secret, {
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    assert.equal(theirs, VECTOR.signature);
    assert.equal(ours['webhook-signature'], theirs);
  });

  test('we verify what standardwebhooks signs (random secrets and bodies, string and Buffer)', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateSecret(24 + (i % 41));
      const body = randomBody();
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const now = new Date();
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, now, body),
      };
      assert.deepEqual(verifyWebhook(secret, body, headers), JSON.parse(body));
      assert.deepEqual(verifyWebhook(secret, Buffer.from(body), new Headers(headers)), JSON.parse(body));
    }
  });

  test('standardwebhooks verifies what we sign (random secrets and bodies)', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateSecret();
      const body = randomBody();
      const headers = signWebhook(secret, { id: `msg_${randomBytes(8).toString('hex')}`, body });
      assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    }
  });

  test('standardwebhooks accepts our rotation header with two signatures under either secret', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const body = randomBody();
    const headers = signWebhook([oldSecret, newSecret], { id: 'msg_rot', body });
    assert.deepEqual(new Webhook(oldSecret).verify(body, headers), JSON.parse(body));
    assert.deepEqual(new Webhook(newSecret).verify(body, headers), JSON.parse(body));
  });

  test('both accept and reject the same requests', () => {
    const secret = generateSecret();
    const body = randomBody();
    const now = Math.floor(Date.now() / 1000);
    const good = signWebhook(secret, { id: 'msg_same', timestamp: now, body });
    const cases: Array<{ name: string; body: string; headers: Record<string, string> }> = [
      { name: 'valid', body, headers: good },
      { name: 'tampered body', body: body.replace('user', 'usr'), headers: good },
      { name: 'other id', body, headers: { ...good, 'webhook-id': 'msg_other' } },
      { name: 'other timestamp', body, headers: { ...good, 'webhook-timestamp': String(now - 1) } },
      { name: 'stale', body, headers: signWebhook(secret, { id: 'msg_same', timestamp: now - 400, body }) },
      { name: 'future', body, headers: signWebhook(secret, { id: 'msg_same', timestamp: now + 400, body }) },
      {
        name: 'other secret',
        body,
        headers: signWebhook(generateSecret(), { id: 'msg_same', timestamp: now, body }),
      },
      { name: 'no signature', body, headers: { 'webhook-id': 'msg_same', 'webhook-timestamp': String(now) } },
      {
        name: 'v2 entry only',
        body,
        headers: { ...good, 'webhook-signature': good['webhook-signature'].replace('v1,', 'v2,') },
      },
      {
        name: 'forged first, good second',
        body,
        headers: {
          ...good,
          'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${good['webhook-signature']}`,
        },
      },
    ];
    const accepted = new Set(['valid', 'forged first, good second']);
    for (const { name, body: caseBody, headers } of cases) {
      const theirs = outcome(() => new Webhook(secret).verify(caseBody, headers));
      const ours = outcome(() => verifyWebhook(secret, caseBody, headers));
      assert.equal(theirs, accepted.has(name) ? 'ok' : 'rejected', `standardwebhooks: ${name}`);
      assert.equal(ours, theirs, name);
    }
    assert.throws(() => verifyWebhook(secret, cases[1]!.body, cases[1]!.headers), WebhookVerificationError);
  });
});
