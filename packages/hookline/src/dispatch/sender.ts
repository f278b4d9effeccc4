import { decodeSecret, signV1 } from '@hookline/sdk';
import { Agent } from 'undici';
import { isBlockedAddress } from '../core/address-policy.js';
import { envelopeBody } from '../core/envelope.js';
import type { ClaimedDelivery } from '../store/types.js';
import { VERSION } from '../version.js';
import { guardedLookup } from './address-guard.js';

/** What one HTTP attempt came back with. */
export interface SendResult {
  /** HTTP status, or null when no response arrived (timeout, connection, DNS, refused address). */
  statusCode: number | null;
  /** Response body, truncated to RESPONSE_BODY_LIMIT characters. */
  responseBody: string;
  /** Retry-After header of the response, as sent. */
  retryAfter: string | null;
  error: string | null;
  sentAt: number;
  durationMs: number;
}

export interface SenderOptions {
  requestTimeoutMs: number;
  allowPrivateNetwork: boolean;
  /** Connections per origin (DESIGN.md: 128 removed queueing under burst). */
  connectionsPerOrigin?: number;
  clock?: () => number;
}

/** How much of a response body an attempt keeps. */
export const RESPONSE_BODY_LIMIT = 4096;

const USER_AGENT = `hookline/${VERSION}`;

/** The abort reason of an attempt that ran past --request-timeout. */
const ATTEMPT_TIMEOUT = new Error('timeout');

/** Signs and POSTs deliveries through one undici pool per origin; never follows redirects. */
export class Sender {
  private readonly agent: Agent;
  private readonly clock: () => number;

  constructor(private readonly options: SenderOptions) {
    this.clock = options.clock ?? Date.now;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 128,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: Math.min(options.requestTimeoutMs, 10_000),
      keepAliveTimeout: 30_000,
      connect: options.allowPrivateNetwork ? {} : { lookup: guardedLookup },
    });
  }

  /** Build the signed request for one delivery, send it, and report what happened (never throws). */
  async send(delivery: ClaimedDelivery): Promise<SendResult> {
    const body = envelopeBody(delivery.eventType, delivery.timestamp, delivery.payload);
    const sentAt = this.clock();
    const started = performance.now();
    const done = (partial: Omit<SendResult, 'sentAt' | 'durationMs'>): SendResult => ({
      ...partial,
      sentAt,
      durationMs: Math.round(performance.now() - started),
    });
    let url: URL;
    try {
      url = new URL(delivery.url);
    } catch {
      return done({ statusCode: null, responseBody: '', retryAfter: null, error: 'invalid endpoint URL' });
    }
    if (!this.options.allowPrivateNetwork && isBlockedAddress(url.hostname)) {
      return done({
        statusCode: null,
        responseBody: '',
        retryAfter: null,
        error: `refused address ${url.hostname}`,
      });
    }
    const timestamp = Math.floor(sentAt / 1000);
    const signatures = delivery.secrets
      .map((s) => signV1(decodeSecret(s), delivery.messageId, timestamp, body))
      .join(' ');
    // One deadline for the whole attempt (connect, headers and body): undici's own timeouts are per
    // phase and idle-based, so a receiver trickling bytes could otherwise hold an attempt forever.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(ATTEMPT_TIMEOUT), this.options.requestTimeoutMs);
    try {
      const response = await this.agent.request({
        signal: deadline.signal,
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          ...delivery.headers,
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': delivery.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatures,
        },
        body,
      });
      const responseBody = await readCapped(response.body, RESPONSE_BODY_LIMIT);
      const retryAfter = response.headers['retry-after'];
      return done({
        statusCode: response.statusCode,
        responseBody,
        retryAfter: Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null),
        error: null,
      });
    } catch (error) {
      const reason = deadline.signal.aborted ? 'timeout' : describeError(error);
      return done({ statusCode: null, responseBody: '', retryAfter: null, error: reason });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Close idle connections; with `force`, abort requests still in flight. */
  async close(force = false): Promise<void> {
    if (force) await this.agent.destroy();
    else await this.agent.close();
  }
}

/** Read at most `limit` characters of a response body, then drop the rest of the stream. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > limit ? text.slice(0, limit) : text;
}

/** A short, stable description of a transport error for the attempt record. */
function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  if (code === 'EADDRBLOCKED' || e.cause?.code === 'EADDRBLOCKED')
    return e.message ?? e.cause?.message ?? 'refused address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dns: ${code}`;
  if (code) return `${code}: ${e.message ?? ''}`.trim();
  return e.message ?? String(error);
}
