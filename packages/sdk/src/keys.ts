/**
 * Key formats (Standard Webhooks): `whsec_<base64>` HMAC secret, `whpk_<base64 32-byte ed25519 public key>`,
 * `whsk_<base64 32-byte seed, or 64-byte seed‖public key as libsodium writes it>`.
 * Decoded keys are cached by their text, so a receiver that verifies with the same secret on every
 * request decodes and imports it once.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import { decodeSecret } from './signing.js';
import { KEY_PREFIXES } from './webhook-input.js';

/** A decoded key, ready for node:crypto. */
export type KeyMaterial = { kind: 'hmac'; key: Buffer } | { kind: 'ed25519'; key: KeyObject };

/** An ed25519 key pair in the Standard Webhooks text formats. */
export interface SigningKeyPair {
  /** `whsk_…`: keep it with the sender. */
  privateKey: string;
  /** `whpk_…`: give it to receivers. */
  publicKey: string;
}

// Fixed DER headers around a raw ed25519 key (RFC 8410), so raw bytes import without JWK round-trips.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_KEY_BYTES = 32;
const CACHE_LIMIT = 256;

const verifyCache = new Map<string, KeyMaterial>();
const signCache = new Map<string, KeyMaterial>();

function cached(
  cache: Map<string, KeyMaterial>,
  text: string,
  decode: (text: string) => KeyMaterial,
): KeyMaterial {
  const hit = cache.get(text);
  if (hit) return hit;
  const material = decode(text);
  // Bounded so a process verifying for many tenants cannot grow without limit; oldest goes first.
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, material);
  return material;
}

function base64Part(text: string, prefix: string, what: string): Buffer {
  try {
    return decodeSecret(text.slice(prefix.length));
  } catch {
    throw new WebhookVerificationError('invalid_secret', `the ${what} after "${prefix}" is not base64`);
  }
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function rawPublicKey(key: KeyObject): Buffer {
  const spki = key.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - ED25519_KEY_BYTES);
}

function decodePublicKey(text: string): KeyMaterial {
  const raw = base64Part(text, KEY_PREFIXES.publicKey, 'public key');
  if (raw.length !== ED25519_KEY_BYTES) {
    throw new WebhookVerificationError('invalid_secret', `a whpk_ key must be 32 bytes, got ${raw.length}`);
  }
  return { kind: 'ed25519', key: ed25519PublicKey(raw) };
}

function decodePrivateKey(text: string): KeyMaterial {
  const raw = base64Part(text, KEY_PREFIXES.privateKey, 'private key');
  if (raw.length !== ED25519_KEY_BYTES && raw.length !== 2 * ED25519_KEY_BYTES) {
    throw new WebhookVerificationError(
      'invalid_secret',
      `a whsk_ key must be 32 or 64 bytes, got ${raw.length}`,
    );
  }
  const seed = raw.subarray(0, ED25519_KEY_BYTES);
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  if (raw.length === 2 * ED25519_KEY_BYTES) {
    // The libsodium form repeats the public key; a mismatch means a corrupted or spliced key.
    const derived = rawPublicKey(createPublicKey(key));
    if (!derived.equals(raw.subarray(ED25519_KEY_BYTES))) {
      throw new WebhookVerificationError('invalid_secret', 'the whsk_ key does not hold its own public key');
    }
  }
  return { kind: 'ed25519', key };
}

function decodeHmacSecret(text: string): KeyMaterial {
  try {
    return { kind: 'hmac', key: decodeSecret(text) };
  } catch (error) {
    throw new WebhookVerificationError(
      'invalid_secret',
      `invalid webhook secret: ${(error as Error).message}`,
    );
  }
}

/** Decodes a key a receiver verifies with: `whsec_…` (or bare base64) or `whpk_…`. */
export function verifyingKey(text: string): KeyMaterial {
  return cached(verifyCache, text, (value) => {
    if (typeof value !== 'string')
      throw new WebhookVerificationError('invalid_secret', 'the key is not a string');
    if (value.startsWith(KEY_PREFIXES.publicKey)) return decodePublicKey(value);
    if (value.startsWith(KEY_PREFIXES.privateKey)) {
      throw new WebhookVerificationError(
        'invalid_secret',
        'a whsk_ private key signs; verify with its whpk_ public key (see generateSigningKeyPair)',
      );
    }
    return decodeHmacSecret(value);
  });
}

/** Decodes a key a sender signs with: `whsec_…` (or bare base64) or `whsk_…`. */
export function signingKey(text: string): KeyMaterial {
  return cached(signCache, text, (value) => {
    if (typeof value !== 'string')
      throw new WebhookVerificationError('invalid_secret', 'the key is not a string');
    if (value.startsWith(KEY_PREFIXES.privateKey)) return decodePrivateKey(value);
    if (value.startsWith(KEY_PREFIXES.publicKey)) {
      throw new WebhookVerificationError(
        'invalid_secret',
        'a whpk_ public key cannot sign; use the whsk_ private key',
      );
    }
    return decodeHmacSecret(value);
  });
}

/** A new random `whsec_…` secret of `bytes` random bytes (hookline uses 24–64). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) {
    throw new RangeError(`secret size must be 24..64 bytes, got ${bytes}`);
  }
  return `${KEY_PREFIXES.secret}${randomBytes(bytes).toString('base64')}`;
}

/** A new ed25519 key pair for `v1a` signatures: sign with `privateKey`, verify with `publicKey`. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = pkcs8.subarray(pkcs8.length - ED25519_KEY_BYTES);
  return {
    privateKey: `${KEY_PREFIXES.privateKey}${seed.toString('base64')}`,
    publicKey: `${KEY_PREFIXES.publicKey}${rawPublicKey(publicKey).toString('base64')}`,
  };
}

/** The `whpk_…` public key that belongs to a `whsk_…` private key. */
export function publicKeyOf(privateKey: string): string {
  if (!privateKey.startsWith(KEY_PREFIXES.privateKey)) {
    throw new WebhookVerificationError('invalid_secret', 'expected a whsk_ private key');
  }
  const material = signingKey(privateKey);
  return `${KEY_PREFIXES.publicKey}${rawPublicKey(createPublicKey(material.key)).toString('base64')}`;
}
