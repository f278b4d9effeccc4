/**
 * The runtime-neutral steps of verification, shared by the node:crypto and web-crypto verifiers:
 * reading headers, checking the timestamp window, splitting the signature list, parsing the body.
 * This file must import no `node:` module: `@hookline/sdk/web` loads it on edge runtimes.
 */
import { WebhookVerificationError } from './errors.js';

/** The envelope hookline sends: `{"type":"order.paid","timestamp":"…","data":{…}}`. */
export interface WebhookEvent<T = unknown> {
  type: string;
  /** ISO 8601 time the event was created (the same on every attempt). */
  timestamp: string;
  data: T;
}

/** A header value as frameworks hand it over: Node gives string arrays for repeated headers. */
export type HeaderValue = string | readonly string[] | number | null | undefined;

/** Anything with a `get(name)` like the fetch API's `Headers` (undici, Hono, Next.js, Deno, Bun). */
export interface HeadersLike {
  get(name: string): string | null;
}

/** A `Headers` object, Node's `IncomingHttpHeaders`, or a plain object with any header-name casing. */
export type WebhookHeadersInput = HeadersLike | Readonly<Record<string, HeaderValue>>;

/** Options shared by every verifier. */
export interface VerifyOptions {
  /** Largest accepted distance, in seconds, between `webhook-timestamp` and now, both ways. Default 300. */
  toleranceSeconds?: number;
  /** The clock; a `Date` or epoch milliseconds. Default `Date.now`. */
  now?: () => Date | number;
}

/** The three Standard Webhooks headers of one request. */
export interface WebhookHeaderValues {
  id: string;
  /** Unix seconds of this attempt, as parsed from `webhook-timestamp`. */
  timestamp: number;
  /** The raw `webhook-signature` value: space-separated `version,base64` entries. */
  signature: string;
}

/** One `version,base64` entry of `webhook-signature`. */
export interface SignatureEntry {
  version: string;
  value: string;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** More entries than any real rotation needs; the cap bounds the work one forged request can cause. */
const MAX_SIGNATURE_ENTRIES = 32;

function isHeadersLike(headers: WebhookHeadersInput): headers is HeadersLike {
  return typeof (headers as { get?: unknown }).get === 'function';
}

function valueToString(value: HeaderValue, joinRepeated: boolean): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  // Repeated signature headers each carry entries; for id and timestamp the first one counts.
  return joinRepeated ? value.join(' ') : value[0];
}

/** One header by name, case-insensitively, from any supported headers shape. */
export function readHeader(
  headers: WebhookHeadersInput,
  name: string,
  joinRepeated = false,
): string | undefined {
  if (isHeadersLike(headers)) return headers.get(name) ?? undefined;
  const exact = headers[name];
  if (exact !== undefined) return valueToString(exact, joinRepeated);
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key.toLowerCase() === name) {
      return valueToString(headers[key], joinRepeated);
    }
  }
  return undefined;
}

function readWebhookHeader(headers: WebhookHeadersInput, suffix: string, joinRepeated = false): string {
  const value =
    readHeader(headers, `webhook-${suffix}`, joinRepeated) ??
    readHeader(headers, `svix-${suffix}`, joinRepeated);
  return value?.trim() ?? '';
}

/** The `webhook-*` (else `svix-*`) header texts, trimmed; `''` for a missing one. Checks nothing. */
export function webhookHeaderText(headers: WebhookHeadersInput): {
  id: string;
  timestamp: string;
  signature: string;
} {
  // No headers at all (null from a hand-built request) reads as every header missing.
  if (headers === null || headers === undefined) return { id: '', timestamp: '', signature: '' };
  return {
    id: readWebhookHeader(headers, 'id'),
    timestamp: readWebhookHeader(headers, 'timestamp'),
    signature: readWebhookHeader(headers, 'signature', true),
  };
}

/**
 * Reads `webhook-id`, `webhook-timestamp` and `webhook-signature` (or their `svix-` names)
 * and checks the timestamp lies within the tolerance window.
 */
export function readWebhookHeaders(
  headers: WebhookHeadersInput,
  options?: VerifyOptions,
): WebhookHeaderValues {
  const { id, timestamp: timestampText, signature } = webhookHeaderText(headers);
  if (id === '' || timestampText === '' || signature === '') {
    throw new WebhookVerificationError('missing_headers');
  }
  const timestamp = parseTimestamp(timestampText);
  assertTimestampFresh(timestamp, options);
  return { id, timestamp, signature };
}

function parseTimestamp(text: string): number {
  // Digits only: parseInt would accept "12abc" and Number would accept "1e9" or "0x10".
  if (!/^\d{1,15}$/.test(text)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp ${JSON.stringify(text.slice(0, 40))} is not unix seconds`,
    );
  }
  return Number(text);
}

function nowSeconds(options: VerifyOptions | undefined): number {
  const now = options?.now ? options.now() : Date.now();
  const millis = typeof now === 'number' ? now : now.getTime();
  return Math.floor(millis / 1000);
}

function toleranceOf(options: VerifyOptions | undefined): number {
  const tolerance = options?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`toleranceSeconds must be a non-negative number, got ${tolerance}`);
  }
  return tolerance;
}

function assertTimestampFresh(timestamp: number, options: VerifyOptions | undefined): void {
  const tolerance = toleranceOf(options);
  const now = nowSeconds(options);
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${now - timestamp} s old; the tolerance is ${tolerance} s`,
    );
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp is ${timestamp - now} s in the future; the tolerance is ${tolerance} s`,
    );
  }
}

/**
 * Splits `webhook-signature` into entries. Tolerates the `", "` that Node and `Headers.get`
 * put between repeated header lines: a base64 value never ends with a comma.
 */
export function parseSignatureHeader(header: string): SignatureEntry[] {
  const entries: SignatureEntry[] = [];
  for (const raw of header.split(/\s+/)) {
    const token = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    const comma = token.indexOf(',');
    if (comma <= 0) continue;
    entries.push({ version: token.slice(0, comma), value: token.slice(comma + 1) });
    if (entries.length === MAX_SIGNATURE_ENTRIES) break;
  }
  return entries;
}

/**
 * A body that is not the raw bytes (most often an object a JSON body parser made) cannot be verified:
 * re-serialising it seldom gives back the signed bytes. A verification error, as Stripe's verifier throws,
 * so a receiver's 400 path handles it and its message says what to change.
 */
export function refuseParsedBody(body: unknown, accepted: string): never {
  const got =
    body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body === 'object' ? 'an object' : typeof body;
  throw new WebhookVerificationError(
    'raw_body_required',
    `rawBody must be the raw request body as ${accepted}, got ${got}: read it before any JSON parsing`,
  );
}

/** Parses verified body text; anything but a JSON object is `invalid_body`. */
export function parseEvent<T>(text: string): WebhookEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WebhookVerificationError('invalid_body', 'the body is not a JSON object');
  }
  return parsed as WebhookEvent<T>;
}

/** Key prefixes of the Standard Webhooks key formats. */
export const KEY_PREFIXES = { secret: 'whsec_', publicKey: 'whpk_', privateKey: 'whsk_' } as const;

/** A verifier's key, or several (e.g. old and new during rotation on the receiving side). */
export type VerifierKey = string | readonly string[];

/** Normalises a {@link VerifierKey} to a non-empty list. */
export function keyList(key: VerifierKey): readonly string[] {
  const list = typeof key === 'string' ? [key] : Array.isArray(key) ? key : [];
  if (list.length === 0)
    throw new WebhookVerificationError('invalid_secret', 'no secret or public key given');
  return list;
}
