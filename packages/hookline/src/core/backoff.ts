/** What the last attempt said about when to come back. */
export interface BackoffInput {
  /** Delays before retries 1..n, in ms. */
  schedule: readonly number[];
  /** How many attempts have been made so far, including the one that just failed (≥ 1). */
  attemptsMade: number;
  /** Retry-After from a 429/503 response, in ms from now, when it had one. */
  retryAfterMs?: number | null;
  /** A uniform random number in [0, 1). */
  random: () => number;
}

/** Fraction of the scheduled delay that jitter may add or remove. */
export const JITTER = 0.2;

/**
 * The one backoff function: the delay before the next attempt, or null when the schedule is exhausted.
 * The scheduled delay gets ±20 % jitter; a Retry-After is honoured but clamped to
 * [scheduled, 2 × scheduled] and gets no jitter (CONTRACT.md, "Retry-After").
 */
export function nextRetryDelay({
  schedule,
  attemptsMade,
  retryAfterMs,
  random,
}: BackoffInput): number | null {
  const scheduled = schedule[attemptsMade - 1];
  if (scheduled === undefined) return null;
  if (retryAfterMs !== undefined && retryAfterMs !== null && Number.isFinite(retryAfterMs)) {
    return Math.min(Math.max(retryAfterMs, scheduled), 2 * scheduled);
  }
  const jitter = (random() * 2 - 1) * JITTER * scheduled;
  return Math.max(0, Math.round(scheduled + jitter));
}

const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/** Parse a Retry-After header (delta seconds or an HTTP-date) into ms from `nowMs`; null when absent or bad. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  // Seconds past any schedule (even too many digits for a number) still ask for the longest wait allowed.
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 1e9) * 1000;
  // Each HTTP-date form (IMF-fixdate, RFC 850, asctime) opens with a day name; Date.parse alone would read
  // "1.5" or "-1" as dates in 2001 (a Retry-After in the past) instead of a bad value.
  if (!HTTP_DATE_START.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
