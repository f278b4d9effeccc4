import { createHmac, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** Prefix of hookline (and Svix / Standard Webhooks) symmetric secrets. */
export const SECRET_PREFIX = 'whsec_';

/**
 * Whether `text` is base64 as `atob` reads it (the web verifier's decoder): padding only to a multiple of
 * four, and never a length that leaves one character over. Buffer would silently drop such a character,
 * so a mistyped secret would verify here and not there.
 */
export function isBase64(text: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  return text.endsWith('=') ? text.length % 4 === 0 : text.length % 4 !== 1;
}

/** Decode a `whsec_…` secret (or bare base64) into the HMAC key bytes. Throws on an empty or non-base64 key. */
export function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!isBase64(encoded)) throw new TypeError('secret is not base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new TypeError('secret is empty');
  return key;
}

/** The exact bytes Standard Webhooks signs: `${id}.${timestamp}.${body}`. */
export function signedContent(msgId: string, timestamp: number, body: string | Uint8Array): Buffer {
  const prefix = Buffer.from(`${msgId}.${timestamp}.`);
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([prefix, payload]);
}

/** The raw 32-byte HMAC-SHA256 of `id.timestamp.body`; fed in two parts so the body is never copied. */
export function hmacV1(key: Uint8Array, msgId: string, timestamp: number, body: string | Uint8Array): Buffer {
  const mac = createHmac('sha256', key).update(`${msgId}.${timestamp}.`);
  mac.update(body);
  return mac.digest();
}

/** One `v1,<base64 HMAC-SHA256>` signature of a message with a decoded key. */
export function signV1(key: Uint8Array, msgId: string, timestamp: number, body: string | Uint8Array): string {
  return `v1,${hmacV1(key, msgId, timestamp, body).toString('base64')}`;
}

/** One `v1a,<base64 ed25519 signature>` of a message with an ed25519 private key. */
export function signV1a(
  privateKey: KeyObject,
  msgId: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  return `v1a,${cryptoSign(null, signedContent(msgId, timestamp, body), privateKey).toString('base64')}`;
}

/** Checks a raw 64-byte ed25519 signature over already-built signed content. */
export function verifyEd25519(publicKey: KeyObject, content: Uint8Array, signature: Uint8Array): boolean {
  return cryptoVerify(null, content, publicKey, signature);
}
