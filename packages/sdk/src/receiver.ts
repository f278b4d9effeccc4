/**
 * The seam between framework adapters and whatever handles a verified webhook (the router).
 * Adapters only get the raw bytes and headers in and write the answer out. No `node:` imports here.
 */
import type { VerificationErrorCode } from './errors.js';
import type { WebhookHeadersInput } from './webhook-input.js';

/** An HTTP answer, independent of any framework. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Per-request options an adapter can pass through. */
export interface ReceiveOptions {
  /**
   * Keeps background work alive after the response on runtimes that end a request's work with its
   * response: Cloudflare's `ctx.waitUntil`, Vercel's `waitUntil`, Next.js `after`. Used by `ackFirst`.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** Something that turns one raw webhook request into an HTTP answer; the router is one. */
export interface WebhookReceiver {
  receive(
    rawBody: Uint8Array | string,
    headers: WebhookHeadersInput,
    options?: ReceiveOptions,
  ): Promise<WebhookResponse>;
}

/** Default cap on a webhook body an adapter buffers. hookline's own limit is 1 MiB plus the envelope. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A body over the adapter's limit; adapters answer 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large' as const;

  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/**
 * Codes of the receiver's own error answers and their statuses (verification codes are all 400).
 * docs/receiving.md lists them; a test fails if the two drift apart.
 */
export const RECEIVER_ERROR_STATUS = {
  in_progress: 409,
  handler_failed: 500,
  dedup_unavailable: 500,
  internal_error: 500,
  payload_too_large: 413,
  method_not_allowed: 405,
} as const;

/** A stable code of a receiver error answer. */
export type ReceiverErrorCode = keyof typeof RECEIVER_ERROR_STATUS;

/** A JSON answer with the content type set. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): WebhookResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The one shape of every error answer: `{"error":{"code","message"}}`, status from the code. */
export function errorAnswer(
  code: ReceiverErrorCode | VerificationErrorCode,
  message: string,
  headers: Record<string, string> = {},
): WebhookResponse {
  const status = code in RECEIVER_ERROR_STATUS ? RECEIVER_ERROR_STATUS[code as ReceiverErrorCode] : 400;
  return jsonResponse(status, { error: { code, message } }, headers);
}

/**
 * The adapters' answer to an error before the receiver ran: 413 for a body too large; anything else (a
 * broken stream, a body already read by other code) is logged, since the sender only sees a 500 and retries.
 */
export function errorResponse(error: unknown): WebhookResponse {
  if (error instanceof PayloadTooLargeError) {
    return errorAnswer('payload_too_large', error.message, { connection: 'close' });
  }
  console.error('hookline webhook: reading the body failed:', error);
  return errorAnswer('internal_error', 'the webhook receiver failed');
}
