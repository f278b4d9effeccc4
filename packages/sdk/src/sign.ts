import { signingKey } from './keys.js';
import { signV1, signV1a } from './signing.js';
import { keyList } from './webhook-input.js';

/** What a sender signs: the message id, the attempt's time and the exact body bytes it will send. */
export interface SignInput {
  /** The message id (`webhook-id`): the same on every retry, so receivers can deduplicate. */
  id: string;
  /** Unix seconds or a `Date`; default now. */
  timestamp?: number | Date;
  body: string | Uint8Array;
}

/** The Standard Webhooks headers of one signed request (a type alias, so it fits `HeadersInit`). */
export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

function unixSeconds(timestamp: number | Date | undefined): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000);
  const seconds = typeof timestamp === 'number' ? timestamp : Math.floor(timestamp.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`timestamp must be whole non-negative unix seconds, got ${seconds}`);
  }
  return seconds;
}

/**
 * Signs a webhook the way hookline does, for senders and tests. With several keys (rotation)
 * the signature header carries one entry per key. `whsec_…` gives `v1`, `whsk_…` gives `v1a`.
 */
export function signWebhook(secretOrPrivateKey: string | readonly string[], input: SignInput): SignedHeaders {
  if (typeof input.id !== 'string' || input.id === '' || /\s/.test(input.id)) {
    throw new TypeError('id must be a non-empty string without spaces');
  }
  const timestamp = unixSeconds(input.timestamp);
  const signatures = keyList(secretOrPrivateKey).map((text) => {
    const key = signingKey(text);
    return key.kind === 'hmac'
      ? signV1(key.key, input.id, timestamp, input.body)
      : signV1a(key.key, input.id, timestamp, input.body);
  });
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
