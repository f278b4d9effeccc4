import { timingSafeEqual as timingSafeEqualBytes } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import { type KeyMaterial, verifyingKey } from './keys.js';
import { hmacV1, signedContent, verifyEd25519 } from './signing.js';
import {
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

/** The request body exactly as received: never a re-serialised object. */
export type RawBody = string | Uint8Array;

const HMAC_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // timingSafeEqual throws on unequal lengths; a wrong length is a mismatch, not an error.
  return a.length === b.length && timingSafeEqualBytes(a, b);
}

function decodeEntry(entry: SignatureEntry, expectedBytes: number): Buffer | undefined {
  // Bound the text before decoding so an oversized entry costs nothing; Buffer's decoder is lenient
  // (it stops at "=" and skips junk), so the alphabet is checked first.
  if (entry.value.length > 2 * expectedBytes || !BASE64.test(entry.value)) return undefined;
  const bytes = Buffer.from(entry.value, 'base64');
  // Only the canonical text: a signature with its padding bits changed (`…OE=` as `…OF=`) decodes to the
  // same bytes, and the reference verifier (which compares the text) refuses it, so this one does too.
  return bytes.length === expectedBytes && bytes.toString('base64') === entry.value ? bytes : undefined;
}

function matches(
  keys: readonly KeyMaterial[],
  entries: readonly SignatureEntry[],
  id: string,
  timestamp: number,
  body: RawBody,
): boolean {
  let content: Buffer | undefined;
  for (const key of keys) {
    if (key.kind === 'hmac') {
      const expected = hmacV1(key.key, id, timestamp, body);
      for (const entry of entries) {
        if (entry.version !== 'v1') continue;
        const given = decodeEntry(entry, HMAC_BYTES);
        if (given && constantTimeEqual(given, expected)) return true;
      }
    } else {
      for (const entry of entries) {
        if (entry.version !== 'v1a') continue;
        const given = decodeEntry(entry, ED25519_SIGNATURE_BYTES);
        if (!given) continue;
        content ??= signedContent(id, timestamp, body);
        if (verifyEd25519(key.key, content, given)) return true;
      }
    }
  }
  return false;
}

function bodyText(body: RawBody): string {
  if (typeof body === 'string') return body;
  // A view, not a copy: Buffer.from(arrayBuffer, offset, length) shares the bytes.
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/**
 * Verifies a Standard Webhooks request and returns its parsed JSON body.
 *
 * @param secretOrPublicKey `whsec_…` secret (checks `v1` entries) or `whpk_…` ed25519 public key
 *   (checks `v1a` entries); a list passes if any key matches any signature.
 * @param rawBody the body bytes exactly as received.
 * @param headers a `Headers`, Node's `req.headers`, or a plain object; `svix-*` names work too.
 * @throws {WebhookVerificationError} with a stable `code` when the request must not be trusted.
 */
export function verifyWebhook<T = unknown>(
  secretOrPublicKey: VerifierKey,
  rawBody: RawBody,
  headers: WebhookHeadersInput,
  options?: VerifyOptions,
): WebhookEvent<T> {
  const keys = keyList(secretOrPublicKey).map(verifyingKey);
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    refuseParsedBody(rawBody, 'a string, Buffer or Uint8Array');
  }
  const { id, timestamp, signature } = readWebhookHeaders(headers, options);
  const entries = parseSignatureHeader(signature);
  if (!matches(keys, entries, id, timestamp, rawBody)) {
    throw new WebhookVerificationError('no_matching_signature');
  }
  return parseEvent<T>(bodyText(rawBody));
}
