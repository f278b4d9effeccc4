import { decodeSecret, signV1 } from '@hookline/sdk';
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import { isBlockedAddress } from '../core/address-policy.js';
import { envelopeBody } from '../core/envelope.js';
import type { ClaimedDelivery } from '../store/types.js';
import { VERSION } from '../version.js';
import { connectLookup } from './address-guard.js';
import { type HostResolver, sharedResolver } from './host-resolver.js';
import { ENDPOINT_CONCURRENCY } from './lanes.js';

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
  /** Connections of one endpoint: as many as its attempts at once (dispatch/lanes.ts). */
  connectionsPerEndpoint?: number;
  /** Name resolution (default: this thread's shared resolver). */
  resolver?: HostResolver;
  clock?: () => number;
}

/** What the dispatcher sends through (the Sender; tests may give it another). */
export interface DeliverySender {
  /** Sign, POST and report (never throws). */
  send(delivery: ClaimedDelivery): Promise<SendResult>;
  /** Close idle connections; with `force`, abort requests still in flight. */
  close(force?: boolean): Promise<void>;
}

/** How much of a response body an attempt keeps. */
export const RESPONSE_BODY_LIMIT = 4096;

const USER_AGENT = `hookline/${VERSION}`;

/** The abort reason of an attempt that ran past --request-timeout. */
const ATTEMPT_TIMEOUT = new Error('timeout');

/** An endpoint's connections, and when an attempt last used them. */
interface EndpointPool {
  pool: Pool;
  origin: string;
  usedAt: number;
}

/** An endpoint's pool is closed once no attempt has used it for this long (its idle sockets with it). */
const POOL_IDLE_MS = 60_000;

/**
 * Signs and POSTs deliveries through one undici pool per endpoint; never follows redirects. Endpoints do not
 * share connections, even on one host (an inbox service that hosts many tenants' URLs): with a pool per
 * origin, two slow endpoints there took every connection, and a third tenant's attempts waited behind them
 * for a connection, their wait counted in their duration (fault audit). An endpoint's attempts are already
 * bounded by its lane, so its pool has as many connections as the lane lets attempts run at once.
 */
export class Sender implements DeliverySender {
  private readonly pools = new Map<string, EndpointPool>();
  private readonly poolOptions: Pool.Options;
  private readonly sweeper: NodeJS.Timeout;
  private readonly targets = new Map<string, { origin: string; path: string } | string>();
  private readonly clock: () => number;

  constructor(private readonly options: SenderOptions) {
    this.clock = options.clock ?? Date.now;
    this.poolOptions = {
      connections: options.connectionsPerEndpoint ?? ENDPOINT_CONCURRENCY,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: Math.min(options.requestTimeoutMs, 10_000),
      keepAliveTimeout: 30_000,
      connect: { lookup: connectLookup(options.resolver ?? sharedResolver(), !options.allowPrivateNetwork) },
    };
    this.sweeper = setInterval(() => this.closeIdlePools(), POOL_IDLE_MS);
    this.sweeper.unref();
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
    const target = this.targetOf(delivery.url);
    if (typeof target === 'string') {
      return done({ statusCode: null, responseBody: '', retryAfter: null, error: target });
    }
    const timestamp = Math.floor(sentAt / 1000);
    const signatures = delivery.secrets
      .map((s) => signV1(signingKey(s), delivery.messageId, timestamp, body))
      .join(' ');
    return new Promise((resolve) => {
      const attempt = new AttemptHandler((partial) => resolve(done(partial)));
      // One deadline for the whole attempt (queueing, connect, headers and body): undici's own timeouts
      // are per phase and idle-based, so a receiver trickling bytes could otherwise hold an attempt forever.
      attempt.deadline = setTimeout(() => attempt.expire(), this.options.requestTimeoutMs);
      try {
        this.poolOf(delivery.endpointId, target.origin).dispatch(
          {
            path: target.path,
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
          },
          attempt,
        );
      } catch (error) {
        attempt.onResponseError(null, error as Error);
      }
    });
  }

  /**
   * Where a URL's requests go, or why none may (an error for the attempt), parsed once per URL: a URL parse
   * per attempt was ≈1 % of the delivery thread. The address policy is checked again at connect time.
   */
  private targetOf(endpointUrl: string): { origin: string; path: string } | string {
    let target = this.targets.get(endpointUrl);
    if (target === undefined) {
      target = parseTarget(endpointUrl, this.options.allowPrivateNetwork);
      if (this.targets.size >= TARGET_CACHE_SIZE) this.targets.clear();
      this.targets.set(endpointUrl, target);
    }
    return target;
  }

  /** The pool of an endpoint's connections to `origin` (a new one when its URL moved to another origin). */
  private poolOf(endpointId: string, origin: string): Pool {
    let entry = this.pools.get(endpointId);
    if (entry?.origin !== origin) {
      if (entry) void entry.pool.close().catch(() => undefined); // attempts in flight there still finish
      entry = { pool: new Pool(origin, this.poolOptions), origin, usedAt: 0 };
      this.pools.set(endpointId, entry);
    }
    entry.usedAt = performance.now();
    return entry.pool;
  }

  /** Close the pools no attempt used for POOL_IDLE_MS (a deleted endpoint's, one that gets no messages). */
  private closeIdlePools(): void {
    const before = performance.now() - POOL_IDLE_MS;
    for (const [endpointId, entry] of this.pools) {
      if (entry.usedAt >= before) continue;
      this.pools.delete(endpointId);
      void entry.pool.close().catch(() => undefined);
    }
  }

  /** Close idle connections; with `force`, abort requests still in flight. */
  async close(force = false): Promise<void> {
    clearInterval(this.sweeper);
    const pools = [...this.pools.values()].map((entry) => entry.pool);
    this.pools.clear();
    await Promise.all(pools.map((pool) => (force ? pool.destroy() : pool.close())));
  }
}

/**
 * The HMAC key of a stored secret. Secrets are checked at creation; one stored before that check became
 * strict (a stray last base64 character) is read as it was then, so its endpoint keeps receiving.
 */
function signingKey(secret: string): Buffer {
  try {
    return decodeSecret(secret);
  } catch {
    return Buffer.from(secret.slice('whsec_'.length), 'base64');
  }
}

/** Endpoint URLs whose parse is kept (the cache starts over when full). */
const TARGET_CACHE_SIZE = 10_000;

function parseTarget(endpointUrl: string, allowPrivateNetwork: boolean): { origin: string; path: string } | string {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return 'invalid endpoint URL';
  }
  if (!allowPrivateNetwork && isBlockedAddress(url.hostname)) return `refused address ${url.hostname}`;
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

type AttemptReport = Omit<SendResult, 'sentAt' | 'durationMs'>;

/** Why an attempt handler stops a response itself. */
const BODY_CAPPED = new Error('response body capped');

/**
 * One attempt as an undici dispatch handler: status, Retry-After and at most RESPONSE_BODY_LIMIT bytes
 * of the body, then the rest of a longer body is dropped with the connection. Written against the
 * dispatcher interface rather than `request()`, which builds a body stream and an AbortSignal per
 * attempt (≈13 % of the event loop under load, docs/benchmarks.md). Reports exactly once.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  deadline: NodeJS.Timeout | undefined;
  private controller: Dispatcher.DispatchController | null = null;
  private statusCode: number | null = null;
  private retryAfter: string | null = null;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private finished = false;

  constructor(private readonly report: (result: AttemptReport) => void) {}

  /** The deadline passed: report a timeout now, even for a request still queued for a connection. */
  expire(): void {
    this.finish({ statusCode: null, responseBody: '', retryAfter: null, error: 'timeout' });
    this.controller?.abort(ATTEMPT_TIMEOUT);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.finished) controller.abort(ATTEMPT_TIMEOUT);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= RESPONSE_BODY_LIMIT) {
      this.succeed();
      controller.abort(BODY_CAPPED);
    }
  }

  onResponseEnd(): void {
    this.succeed();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.finish({ statusCode: null, responseBody: '', retryAfter: null, error: describeError(error) });
  }

  private succeed(): void {
    const text = this.chunks.length === 0 ? '' : Buffer.concat(this.chunks).toString('utf8');
    this.finish({
      statusCode: this.statusCode,
      responseBody: storableText(text, RESPONSE_BODY_LIMIT),
      retryAfter: this.retryAfter,
      error: null,
    });
  }

  private finish(result: AttemptReport): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.deadline);
    this.report(result);
  }
}

/**
 * A receiver's text as every store can keep it and read it back the same: at most `limit` UTF-16 units,
 * never ending in half a surrogate pair, and U+0000 (which PostgreSQL text cannot hold) as U+FFFD.
 */
export function storableText(text: string, limit: number): string {
  let kept = text.length > limit ? text.slice(0, limit) : text;
  const last = kept.charCodeAt(kept.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
  return kept.includes('\u0000') ? kept.replaceAll('\u0000', '\ufffd') : kept;
}

/** A short, stable description of a transport error for the attempt record. */
function describeError(error: unknown): string {
  const e = error as {
    code?: string;
    message?: string;
    hostname?: string;
    cause?: { code?: string; message?: string };
    errors?: Array<{ message?: string }>;
  };
  const code = e.code ?? e.cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  if (code === 'EADDRBLOCKED' || e.cause?.code === 'EADDRBLOCKED')
    return e.message ?? e.cause?.message ?? 'refused address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' || code === 'ETIMEOUT' || code === 'ESERVFAIL') {
    return `dns: ${code}${e.hostname ? ` ${e.hostname}` : ''}`;
  }
  if (code === 'EDNSBUSY') return e.message ?? 'DNS busy';
  // Node tried every address (autoSelectFamily) and each failed: an AggregateError with an empty message.
  const message = e.message || e.errors?.map((inner) => inner.message).join('; ') || '';
  if (code) return `${code}: ${message}`.trim();
  return e.message ?? String(error);
}
