/**
 * The typed event router: verify → dedup claim → the handler for the event's type → answer.
 * Runtime-neutral (no `node:` imports): `createRouter` binds it to the node:crypto verifier and
 * `@hookline/sdk/web` to the web-crypto one.
 *
 * Status codes follow what hookline does with them: 2xx = delivered (never retried), anything else
 * is retried. So verification failures are 400 (a retry of the same bytes fails the same way),
 * handler failures 500 (a retry may succeed), a duplicate of completed work 200.
 */
import { type FetchAdapterOptions, handleRequest } from './adapters/fetch.js';
import {
  type ClaimResult,
  DEFAULT_DEDUP_TTL_SECONDS,
  DEFAULT_LEASE_SECONDS,
  type DedupStore,
} from './dedup/dedup-store.js';
import { isWebhookVerificationError, WebhookVerificationError } from './errors.js';
import {
  errorAnswer,
  jsonResponse,
  type ReceiveOptions,
  type WebhookReceiver,
  type WebhookResponse,
} from './receiver.js';
import {
  readHeader,
  type VerifierKey,
  type VerifyOptions,
  type WebhookEvent,
  type WebhookHeadersInput,
  webhookHeaderText,
} from './webhook-input.js';

/** What a handler learns besides the payload. */
export interface EventMeta<K extends string = string> {
  /** `webhook-id`: the message id, the same on every retry and resend. Use it as an idempotency key. */
  id: string;
  type: K;
  /** When the event happened (the envelope's `timestamp`), the same on every attempt. */
  timestamp: Date;
  /** When this attempt was signed (`webhook-timestamp`). */
  attemptTimestamp: Date;
  /** The attempt number from a `webhook-attempt` header when the sender sends one; else undefined. */
  attempt: number | undefined;
  /** All request headers, case-insensitive. */
  headers: Headers;
}

/** A handler of one event type. Throw (or reject) to answer 500 so the sender retries. */
export type EventHandler<D, K extends string = string> = (data: D, meta: EventMeta<K>) => unknown;

/** Dedup settings; a bare {@link DedupStore} means these defaults. */
export interface DedupOptions {
  store: DedupStore;
  /** How long a claim lasts while its handler runs. Default 300 s. */
  leaseSeconds?: number;
  /** How long a completed id is remembered. Default 3 days. */
  ttlSeconds?: number;
}

/** Options of `createRouter`. */
export interface RouterOptions extends VerifyOptions {
  /** `whsec_…` secret or `whpk_…` public key; a list during rotation on your side. */
  secret: VerifierKey;
  /** Skip handlers for ids already completed (a retry after a lost response, a resend). */
  dedup?: DedupStore | DedupOptions;
  /**
   * Answer 202 as soon as the request is verified and claimed, then run the handler. hookline then
   * counts the delivery as done even if the handler fails later, so use it only for work you can
   * lose or that you hand to a durable queue. See docs/receiving.md, "Acknowledge first".
   */
  ackFirst?: boolean;
  /** Called with every handler or dedup-store failure. Default: `console.error`. */
  onError?: (error: unknown, meta: EventMeta | undefined) => void;
}

/** A verifier: `verifyWebhook` or `verifyWebhookAsync`. */
export type Verifier = (
  key: VerifierKey,
  rawBody: Uint8Array | string,
  headers: WebhookHeadersInput,
  options?: VerifyOptions,
) => WebhookEvent | Promise<WebhookEvent>;

function defaultOnError(error: unknown, meta: EventMeta | undefined): void {
  const where = meta ? ` (webhook ${meta.id}, ${meta.type})` : '';
  console.error(`hookline webhook handler failed${where}:`, error);
}

const utf8 = new TextEncoder();

/**
 * Add a header as a Headers object can hold it. A value beyond Latin-1 (API gateways hand over decoded
 * UTF-8) goes in as its UTF-8 bytes read as Latin-1, the way node:http presents such bytes; a header that
 * cannot exist in HTTP at all (a name with spaces, a line break) is left out rather than failing the request.
 */
function appendHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.append(name, value);
  } catch {
    try {
      headers.append(name, String.fromCharCode(...utf8.encode(value)));
    } catch {
      // not representable as an HTTP header
    }
  }
}

function toHeaders(input: WebhookHeadersInput): Headers {
  if (input instanceof Headers) return input;
  const headers = new Headers();
  if (typeof (input as { forEach?: unknown }).forEach === 'function') {
    (input as Headers).forEach((value, name) => appendHeader(headers, name, value));
    return headers;
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (Array.isArray(value)) for (const item of value) appendHeader(headers, name, String(item));
    else if (value !== undefined && value !== null) appendHeader(headers, name, String(value));
  }
  return headers;
}

function parseDate(text: unknown, fallback: Date): Date {
  const date = typeof text === 'string' ? new Date(text) : fallback;
  return Number.isNaN(date.getTime()) ? fallback : date;
}

/** Routes verified webhooks to typed handlers. Create it with `createRouter`. */
export class WebhookRouter<E extends object = Record<string, unknown>> implements WebhookReceiver {
  readonly #handlers = new Map<string, EventHandler<unknown>>();
  #unhandled: EventHandler<unknown> | undefined;
  readonly #pending = new Set<Promise<void>>();
  readonly #dedup: Required<DedupOptions> | undefined;
  readonly #onError: (error: unknown, meta: EventMeta | undefined) => void;

  constructor(
    private readonly verify: Verifier,
    private readonly options: RouterOptions,
  ) {
    const dedup = options.dedup;
    if (dedup) {
      const settings = 'store' in dedup ? dedup : { store: dedup };
      this.#dedup = {
        store: settings.store,
        leaseSeconds: settings.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        ttlSeconds: settings.ttlSeconds ?? DEFAULT_DEDUP_TTL_SECONDS,
      };
    }
    this.#onError = options.onError ?? defaultOnError;
  }

  /** Registers the handler of one event type; one handler per type. */
  on<K extends keyof E & string>(type: K, handler: EventHandler<E[K], K>): this {
    if (this.#handlers.has(type)) throw new Error(`a handler for "${type}" is already registered`);
    this.#handlers.set(type, handler as EventHandler<unknown>);
    return this;
  }

  /** Registers the handler of every type without its own; without one, such events get 200 and are dropped. */
  onUnhandled(handler: EventHandler<unknown, string>): this {
    this.#unhandled = handler;
    return this;
  }

  /** Verifies and dispatches one request given as raw bytes and headers. Never throws. */
  async receive(
    rawBody: Uint8Array | string,
    headers: WebhookHeadersInput,
    options?: ReceiveOptions,
  ): Promise<WebhookResponse> {
    let event: WebhookEvent;
    try {
      event = await this.verify(this.options.secret, rawBody, headers, this.options);
      if (typeof event.type !== 'string') {
        throw new WebhookVerificationError('invalid_body', 'the body has no string "type"');
      }
    } catch (error) {
      // raw_body_required is the receiver's own mistake (a body parser ran first), not the request's: it is
      // reported and answered 500, so the sender retries once the receiver is fixed.
      if (isWebhookVerificationError(error) && error.code !== 'raw_body_required') {
        return errorAnswer(error.code, error.message);
      }
      this.#onError(error, undefined);
      return errorAnswer('internal_error', 'verification could not run');
    }
    const handler = this.#handlers.get(event.type) ?? this.#unhandled;
    if (!handler) return jsonResponse(200, { ok: true, handled: false });
    const meta = this.#meta(event, headers);

    if (this.#dedup) {
      let claim: ClaimResult;
      try {
        claim = await this.#dedup.store.claim(meta.id, this.#dedup.leaseSeconds);
      } catch (error) {
        this.#onError(error, meta);
        return errorAnswer('dedup_unavailable', 'the dedup store failed');
      }
      if (claim === 'duplicate') return jsonResponse(200, { ok: true, duplicate: true });
      if (claim === 'in_progress') {
        return errorAnswer('in_progress', 'this webhook id is being handled');
      }
    }

    const run = this.#run(handler, event.data, meta);
    if (this.options.ackFirst) {
      this.#track(run);
      options?.waitUntil?.(run);
      return jsonResponse(202, { ok: true, queued: true });
    }
    return (await run)
      ? jsonResponse(200, { ok: true })
      : errorAnswer('handler_failed', 'the handler failed; retry later');
  }

  /** Web-standard entry: `Request` in, `Response` out (Hono, Next.js, Bun, Deno, Workers). */
  handleRequest(request: Request, options?: FetchAdapterOptions): Promise<Response> {
    return handleRequest(this, request, options);
  }

  /** Resolves when every `ackFirst` handler started so far has finished (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /** Runs a handler and settles its dedup claim; true when it succeeded. Never rejects. */
  async #run(handler: EventHandler<unknown>, data: unknown, meta: EventMeta): Promise<boolean> {
    try {
      await handler(data, meta);
    } catch (error) {
      this.#onError(error, meta);
      if (this.#dedup) {
        await this.#dedup.store
          .release(meta.id)
          .catch((releaseError: unknown) => this.#onError(releaseError, meta));
      }
      return false;
    }
    if (this.#dedup) {
      // The work is done; a failed completion only risks one extra run later, so still answer 2xx.
      await this.#dedup.store
        .complete(meta.id, this.#dedup.ttlSeconds)
        .catch((completeError: unknown) => this.#onError(completeError, meta));
    }
    return true;
  }

  #track(run: Promise<unknown>): void {
    const done = run.then(
      () => {
        this.#pending.delete(done);
      },
      () => {
        this.#pending.delete(done);
      },
    );
    this.#pending.add(done);
  }

  #meta(event: WebhookEvent, headers: WebhookHeadersInput): EventMeta {
    const text = webhookHeaderText(headers);
    const attemptTimestamp = new Date(Number(text.timestamp) * 1000);
    const attempt = Number(readHeader(headers, 'webhook-attempt'));
    return {
      id: text.id,
      type: event.type,
      timestamp: parseDate(event.timestamp, attemptTimestamp),
      attemptTimestamp,
      attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
      headers: toHeaders(headers),
    };
  }
}
