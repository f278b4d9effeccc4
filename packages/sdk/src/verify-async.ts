/**
 * The web-crypto verifier for Deno, Bun, Cloudflare Workers, Vercel Edge and browsers.
 * It must import no `node:` module and use only globals every runtime has:
 * `crypto.subtle`, `TextEncoder`, `TextDecoder`, `atob`.
 */
import { WebhookVerificationError } from './errors.js';
import {
  KEY_PREFIXES,
  keyList,
  parseEvent,
  parseSignatureHeader,
  readWebhookHeaders,
  refuseParsedBody,
  type SignatureEntry,
  type VerifierKey,
  type VerifyOptions,
  type WebhookEvent,
  type WebhookHeadersInput,
} from './webhook-input.js';

/** A body as edge runtimes hand it over (`await request.arrayBuffer()`), or text. */
export type WebRawBody = string | Uint8Array | ArrayBuffer;

type WebKey = { kind: 'hmac'; key: CryptoKey } | { kind: 'ed25519'; key: CryptoKey };

const HMAC_BYTES = 32;
const ED25519_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const CACHE_LIMIT = 256;
const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text, as Buffer's decoder does, so both verifiers refuse it alike.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
// Promises are cached, so concurrent first requests share one import.
const keyCache = new Map<string, Promise<WebKey>>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function keyBytes(text: string, prefix: string, what: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64(text.startsWith(prefix) ? text.slice(prefix.length) : text);
  if (!bytes || bytes.length === 0) {
    throw new WebhookVerificationError('invalid_secret', `the ${what} is not base64`);
  }
  return bytes;
}

async function importKey(text: string): Promise<WebKey> {
  if (typeof text !== 'string')
    throw new WebhookVerificationError('invalid_secret', 'the key is not a string');
  if (text.startsWith(KEY_PREFIXES.privateKey)) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'a whsk_ private key signs; verify with its whpk_ public key',
    );
  }
  if (text.startsWith(KEY_PREFIXES.publicKey)) {
    const raw = keyBytes(text, KEY_PREFIXES.publicKey, 'public key');
    if (raw.length !== ED25519_BYTES) {
      throw new WebhookVerificationError('invalid_secret', `a whpk_ key must be 32 bytes, got ${raw.length}`);
    }
    return {
      kind: 'ed25519',
      key: await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']),
    };
  }
  const raw = keyBytes(text, KEY_PREFIXES.secret, 'secret');
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return { kind: 'hmac', key };
}

function cachedKey(text: string): Promise<WebKey> {
  const hit = keyCache.get(text);
  if (hit) return hit;
  const imported = importKey(text);
  if (keyCache.size >= CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(text, imported);
  // A bad key must not stay cached as a rejected promise forever.
  imported.catch(() => keyCache.delete(text));
  return imported;
}

function toBytes(body: WebRawBody): Uint8Array {
  if (typeof body === 'string') return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function signedContent(id: string, timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix, 0);
  content.set(body, prefix.length);
  return content;
}

async function matches(
  keys: readonly WebKey[],
  entries: readonly SignatureEntry[],
  content: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  for (const { kind, key } of keys) {
    const version = kind === 'hmac' ? 'v1' : 'v1a';
    const size = kind === 'hmac' ? HMAC_BYTES : ED25519_SIGNATURE_BYTES;
    for (const entry of entries) {
      if (entry.version !== version || entry.value.length > 2 * size) continue;
      const given = decodeBase64(entry.value);
      // Only the canonical text, as verify.ts and the reference verifier: padding bits changed is a mismatch.
      if (given?.length !== size || btoa(String.fromCharCode(...given)) !== entry.value) continue;
      // subtle.verify compares HMACs in constant time itself.
      if (await crypto.subtle.verify(kind === 'hmac' ? 'HMAC' : 'Ed25519', key, given, content)) return true;
    }
  }
  return false;
}

/**
 * The web-crypto twin of `verifyWebhook`: same checks, same error codes, but asynchronous because
 * `crypto.subtle` is. Use it where `node:crypto` is missing (edge runtimes, Deno, Bun, browsers).
 *
 * @throws {WebhookVerificationError} (as a rejected promise) with a stable `code`.
 */
export async function verifyWebhookAsync<T = unknown>(
  secretOrPublicKey: VerifierKey,
  rawBody: WebRawBody,
  headers: WebhookHeadersInput,
  options?: VerifyOptions,
): Promise<WebhookEvent<T>> {
  const keys = await Promise.all(keyList(secretOrPublicKey).map(cachedKey));
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array) && !(rawBody instanceof ArrayBuffer)) {
    refuseParsedBody(rawBody, 'a string, Uint8Array or ArrayBuffer');
  }
  const { id, timestamp, signature } = readWebhookHeaders(headers, options);
  const body = toBytes(rawBody);
  if (!(await matches(keys, parseSignatureHeader(signature), signedContent(id, timestamp, body)))) {
    throw new WebhookVerificationError('no_matching_signature');
  }
  return parseEvent<T>(typeof rawBody === 'string' ? rawBody : decoder.decode(body));
}
