import { JITTER, nextRetryDelay, parseRetryAfter } from '../core/backoff.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/types.js';
import type { SendResult } from './sender.js';

export interface DecideOptions {
  schedule: readonly number[];
  autoDisableAfterMs: number;
  random: () => number;
  newAttemptId: (now: number) => string;
}

/** A response that counts as delivered. 3xx is a failure: redirects are never followed. */
export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/**
 * Turn one attempt's result into what the store records: the attempt row, and whether the delivery
 * succeeded, gives up, or retries when (schedule ± jitter, Retry-After on 429/503, 410 disables).
 */
export function decideOutcome(
  delivery: ClaimedDelivery,
  result: SendResult,
  options: DecideOptions,
): AttemptOutcome {
  const attemptNumber = delivery.attemptsMade + 1;
  const now = result.sentAt + result.durationMs;
  const delivered = isDelivered(result.statusCode);
  const gone = result.statusCode === 410;
  let next: AttemptOutcome['next'];
  if (delivered) {
    next = { kind: 'succeeded' };
  } else if (gone) {
    next = { kind: 'failed' };
  } else {
    const honoursRetryAfter = result.statusCode === 429 || result.statusCode === 503;
    const delay = nextRetryDelay({
      schedule: options.schedule,
      // A resend or recover starts the schedule afresh while attemptNumber goes on.
      attemptsMade: attemptNumber - delivery.scheduleStart,
      retryAfterMs: honoursRetryAfter ? parseRetryAfter(result.retryAfter, now) : null,
      random: options.random,
    });
    next = delay === null ? { kind: 'failed' } : { kind: 'retry', at: now + delay };
  }
  // The whole schedule as jitter can make it at the shortest: the last retry of a delivery that failed every
  // time must find its endpoint failing long enough, or nothing would disable it (it is given up after that).
  const scheduleSpan = options.schedule.reduce((a, b) => a + b, 0) * (1 - JITTER);
  return {
    deliveryId: delivery.deliveryId,
    appId: delivery.appId,
    messageId: delivery.messageId,
    endpointId: delivery.endpointId,
    messageTimestamp: delivery.timestamp,
    attempt: {
      id: options.newAttemptId(result.sentAt),
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      attemptNumber,
      status: delivered ? 'succeeded' : 'failed',
      responseStatusCode: result.statusCode,
      responseBody: result.responseBody,
      durationMs: result.durationMs,
      error: delivered ? null : (result.error ?? `HTTP ${result.statusCode}`),
      createdAt: result.sentAt,
    },
    next,
    disableEndpoint: gone,
    disableIfFailingSince: delivered ? null : now - Math.max(options.autoDisableAfterMs, scheduleSpan),
  };
}
