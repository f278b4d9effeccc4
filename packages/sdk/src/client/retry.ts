/**
 * When the client sends a request again: the one backoff function and the rules for which failures are
 * worth another try. Pure: time and randomness come in as parameters.
 */

/** How the client retries. Every field is optional; `retry: false` turns retries off. */
export interface RetryOptions {
  /** Retries after the first try (default 3, so at most 4 requests). */
  maxRetries?: number;
  /** Backoff before the first retry; it doubles with each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Longest backoff between two tries (default 10 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown (default 60 s). */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Fill in the defaults; `false` means no retries. */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const policy = { ...DEFAULT_RETRY };
  for (const [name, value] of Object.entries(options ?? {}) as Array<[keyof RetryPolicy, unknown]>) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new TypeError(`retry.${name} must be a finite number ≥ 0, got ${String(value)}`);
    policy[name] = value;
  }
  return policy;
}

/** Answers worth another try: rate-limited, or a gateway / the server temporarily unable to answer. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Answers that mean the server did not act on the request (it refused it before doing anything), so
 * even a write that is not idempotent may be sent again. A 502/504 or a cut connection may come after
 * the server acted, so those are retried only for idempotent requests.
 */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** `cause.code`s of Node's fetch errors raised before the request left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** True when a fetch error proves the request never reached the server (so any request may be retried). */
export function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' && NOT_SENT_CODES.has(cause.code);
}

/**
 * Milliseconds a `Retry-After` header asks to wait (delay-seconds or an HTTP-date), or null when it is
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1 for the first retry), or null to give up.
 * With a `Retry-After`, exactly that (no jitter: the server chose the time), unless it exceeds
 * `maxRetryAfterMs`. Without, exponential backoff `baseDelayMs × 2^(retry-1)` capped at `maxDelayMs`,
 * with jitter over its upper half so many clients spread out but none retries at once.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | null,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (retry > policy.maxRetries) return null;
  if (retryAfterMs !== null) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
