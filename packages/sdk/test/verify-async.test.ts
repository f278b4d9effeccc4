import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  generateSigningKeyPair,
  signWebhook,
  type VerifyOptions,
  verifyWebhook,
  verifyWebhookAsync,
  type WebhookHeadersInput,
} from '../src/index.js';
import * as web from '../src/web.js';
import { SECRET, VECTOR } from './helpers.js';

const NOW = 1_795_000_000;
const BODY = '{"type":"user.registered","timestamp":"2026-11-19T10:00:00.000Z","data":{"name":"Zoë"}}';
const pair = generateSigningKeyPair();
const good = signWebhook(SECRET, { id: 'msg_a', timestamp: NOW, body: BODY });
const goodV1a = signWebhook(pair.privateKey, { id: 'msg_a', timestamp: NOW, body: BODY });

interface Case {
  name: string;
  key: string | string[];
  body: string | Uint8Array;
  headers: WebhookHeadersInput;
  options?: VerifyOptions;
}

const cases: Case[] = [
  {
    name: 'test vector',
    key: VECTOR.secret,
    body: VECTOR.body,
    headers: {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    },
    options: { now: () => VECTOR.timestamp * 1000 },
  },
  { name: 'v1 string', key: SECRET, body: BODY, headers: good },
  { name: 'v1 Buffer', key: SECRET, body: Buffer.from(BODY), headers: good },
  { name: 'v1 Headers', key: SECRET, body: BODY, headers: new Headers(good) },
  {
    name: 'svix names',
    key: SECRET,
    body: BODY,
    headers: {
      'Svix-Id': 'msg_a',
      'Svix-Timestamp': String(NOW),
      'Svix-Signature': good['webhook-signature'],
    },
  },
  {
    name: 'array values',
    key: SECRET,
    body: BODY,
    headers: {
      'webhook-id': ['msg_a'],
      'webhook-timestamp': String(NOW),
      'webhook-signature': ['v1,bad', good['webhook-signature']],
    },
  },
  { name: 'v1a', key: pair.publicKey, body: BODY, headers: goodV1a },
  { name: 'v1a with wrong key kind', key: SECRET, body: BODY, headers: goodV1a },
  { name: 'key list', key: [pair.publicKey, SECRET], body: BODY, headers: good },
  { name: 'tampered', key: SECRET, body: `${BODY} `, headers: good },
  { name: 'missing', key: SECRET, body: BODY, headers: { 'webhook-id': 'msg_a' } },
  { name: 'bad timestamp', key: SECRET, body: BODY, headers: { ...good, 'webhook-timestamp': 'soon' } },
  { name: 'too old', key: SECRET, body: BODY, headers: good, options: { now: () => (NOW + 301) * 1000 } },
  { name: 'too new', key: SECRET, body: BODY, headers: good, options: { now: () => (NOW - 301) * 1000 } },
  {
    name: 'tolerance',
    key: SECRET,
    body: BODY,
    headers: good,
    options: { now: () => (NOW + 20) * 1000, toleranceSeconds: 20 },
  },
  { name: 'bad secret', key: 'whsec_%%%', body: BODY, headers: good },
  { name: 'private key', key: pair.privateKey, body: BODY, headers: goodV1a },
  { name: 'short public key', key: 'whpk_AAAA', body: BODY, headers: goodV1a },
  {
    name: 'not json',
    key: SECRET,
    body: 'nope',
    headers: signWebhook(SECRET, { id: 'msg_a', timestamp: NOW, body: 'nope' }),
  },
  // Inputs the two decoders once read differently: Buffer dropped a stray last base64 character and kept
  // a BOM, atob refused the one and TextDecoder stripped the other.
  { name: 'secret with a stray character', key: `${SECRET}A`, body: BODY, headers: good },
  {
    name: 'BOM before the body',
    key: SECRET,
    body: `\uFEFF${BODY}`,
    headers: signWebhook(SECRET, { id: 'msg_a', timestamp: NOW, body: `\uFEFF${BODY}` }),
  },
  { name: 'no headers object', key: SECRET, body: BODY, headers: null as unknown as WebhookHeadersInput },
  {
    name: 'padding bits changed',
    key: SECRET,
    body: BODY,
    headers: {
      ...good,
      'webhook-signature': good['webhook-signature'].replace(/(.)=$/, (_, c: string) =>
        `${String.fromCharCode(c.charCodeAt(0) ^ 1)}=`,
      ),
    },
  },
  {
    name: 'lenient base64',
    key: SECRET,
    body: BODY,
    headers: { ...good, 'webhook-signature': `${good['webhook-signature']}AAAA` },
  },
];

async function settle(run: () => unknown): Promise<unknown> {
  try {
    return { ok: await run() };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error) };
  }
}

describe('verifyWebhookAsync (web crypto)', () => {
  for (const c of cases) {
    test(`equals the sync verifier: ${c.name}`, async () => {
      const options = c.options ?? { now: () => NOW * 1000 };
      const sync = await settle(() => verifyWebhook(c.key, c.body, c.headers, options));
      const asyncResult = await settle(() => verifyWebhookAsync(c.key, c.body, c.headers, options));
      assert.deepEqual(asyncResult, sync);
    });
  }

  test('refuses a stray secret character, a BOM and a missing headers object with their codes', async () => {
    const codes: Record<string, string> = {
      'secret with a stray character': 'invalid_secret',
      'BOM before the body': 'invalid_body',
      'no headers object': 'missing_headers',
    };
    for (const c of cases.filter((c) => c.name in codes)) {
      assert.deepEqual(await settle(() => verifyWebhook(c.key, c.body, c.headers, { now: () => NOW * 1000 })), {
        code: codes[c.name],
      });
    }
  });

  test('the cases above cover success and every error code', async () => {
    const seen = new Set<string>();
    for (const c of cases) {
      const result = (await settle(() =>
        verifyWebhookAsync(c.key, c.body, c.headers, c.options ?? { now: () => NOW * 1000 }),
      )) as { code?: string };
      seen.add(result.code ?? 'ok');
    }
    assert.deepEqual([...seen].sort(), [
      'invalid_body',
      'invalid_secret',
      'invalid_timestamp',
      'missing_headers',
      'no_matching_signature',
      'ok',
      'timestamp_too_new',
      'timestamp_too_old',
    ]);
  });

  test('accepts an ArrayBuffer body, as request.arrayBuffer() gives', async () => {
    const bytes = new TextEncoder().encode(BODY);
    const event = await verifyWebhookAsync(SECRET, bytes.buffer, good, { now: () => NOW * 1000 });
    assert.equal(event.type, 'user.registered');
  });

  test('a parsed object instead of the raw body is raw_body_required, as in the sync verifier', async () => {
    await assert.rejects(verifyWebhookAsync(SECRET, JSON.parse(BODY) as string, good), {
      code: 'raw_body_required',
      message: /raw request body as a string, Uint8Array or ArrayBuffer, got an object/,
    });
  });

  test('a failed key import is not cached: the same bad key fails the same way twice', async () => {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(verifyWebhookAsync('whpk_AAAA', BODY, goodV1a), { code: 'invalid_secret' });
    }
  });

  test('@hookline/sdk/web exports the async verifier and the router factory', async () => {
    assert.equal(web.verifyWebhookAsync, verifyWebhookAsync);
    const hooks = web.createRouter<{ 'user.registered': { name: string } }>({
      secret: SECRET,
      now: () => NOW * 1000,
    });
    const names: string[] = [];
    hooks.on('user.registered', (data) => {
      names.push(data.name);
    });
    const answer = await hooks.receive(BODY, good);
    assert.equal(answer.status, 200);
    assert.deepEqual(names, ['Zoë']);
  });

  test('the web and client entries and everything they import use no node: module or package', async () => {
    const srcDir = new URL('../src/', import.meta.url);
    const seen = new Set<string>();
    const queue = ['web.js', 'client/index.js'];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = await readFile(fileURLToPath(new URL(file, srcDir)), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const specifier = match[1]!;
        assert.ok(specifier.startsWith('.'), `${file} imports ${specifier}`);
        queue.push(new URL(specifier, new URL(file, srcDir)).pathname.slice(fileURLToPath(srcDir).length));
      }
    }
    assert.ok(seen.has('verify-async.js') && seen.has('router.js') && seen.has('adapters/fetch.js'));
    assert.ok(seen.has('client/transport.js') && seen.has('client/resources/messages.js'));
  });
});
