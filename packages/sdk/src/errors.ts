/**
 * Why a webhook failed verification. Codes are stable: match on them, never on the message.
 * docs/receiving.md lists the same codes; a test fails if the two drift apart.
 */
export const VERIFICATION_ERROR_CODES = {
  missing_headers:
    'webhook-id, webhook-timestamp or webhook-signature (or svix-*) header is missing or empty',
  invalid_timestamp: 'webhook-timestamp is not a whole number of unix seconds',
  timestamp_too_old: 'webhook-timestamp is older than the tolerance (a replay, or a clock far behind)',
  timestamp_too_new: 'webhook-timestamp is further in the future than the tolerance',
  no_matching_signature: 'no signature in webhook-signature matches the body with the given key(s)',
  invalid_secret: 'the key given to the verifier is not a whsec_ secret or whpk_ public key',
  invalid_body: 'the signed body is not a JSON object',
  raw_body_required:
    'the body given to the verifier is not the raw request body (a string or bytes): an already-parsed object cannot be verified',
} as const;

/** A stable reason code of {@link WebhookVerificationError}. */
export type VerificationErrorCode = keyof typeof VERIFICATION_ERROR_CODES;

/**
 * Thrown by `verifyWebhook` / `verifyWebhookAsync` when a request must not be trusted.
 * Receivers answer it with 400: a retry with the same bytes would fail the same way.
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly code: VerificationErrorCode,
    message: string = VERIFICATION_ERROR_CODES[code],
  ) {
    super(message);
  }
}

/** True for a {@link WebhookVerificationError}, also across duplicated copies of the SDK. */
export function isWebhookVerificationError(error: unknown): error is WebhookVerificationError {
  return (
    error instanceof WebhookVerificationError ||
    (error instanceof Error &&
      error.name === 'WebhookVerificationError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
