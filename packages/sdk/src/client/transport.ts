/**
 * Sends one API call: builds the URL, sends JSON with the bearer token through `fetch`, retries per
 * retry.ts, and turns answers into values or typed errors. Web-standard only (fetch, AbortController,
 * setTimeout): no `node:` imports, so it runs on Node 20+, Deno, Bun and edge runtimes.
 */
import { HooklineApiError, HooklineNetworkError } from './errors.js';
import {
  neverSent,
  parseRetryAfter,
  REFUSED_STATUSES,
  RETRY_STATUSES,
  type RetryOptions,
  retryDelayMs,
  retryPolicy,
} from './retry.js';
import { type ParamsOf, type RouteKey, splitRoute } from './routes.js';

/** The `fetch` the client calls: the global one, or any function with its signature. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options of `new Hookline(...)`. */
export interface HooklineOptions {
  /** Where hookline listens, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  baseUrl: string;
  /** The admin token or an app-scoped token (`Authorization: Bearer …`). */
  token?: string;
  /** Replaces the global `fetch` (an edge runtime's, a test's, one with a proxy agent). */
  fetch?: FetchLike;
  /** Per-attempt time limit for the answer, body included (default 30 s). */
  timeoutMs?: number;
  /** Retry rules; `false` for none. */
  retry?: RetryOptions | false;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Waits between retries (default: a timer). Tests pass one that returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Randomness for backoff jitter, in [0, 1) (default Math.random). */
  random?: () => number;
  /** The current time in ms, to read `Retry-After` dates (default Date.now). */
  now?: () => number;
}

/** Options of one call; they override the client's. */
export interface RequestOptions {
  /** Abort the call (no retry after an abort: the signal's reason is thrown). */
  signal?: AbortSignal;
  timeoutMs?: number;
  retry?: RetryOptions | false;
  headers?: Record<string, string>;
}

/** What a route needs besides its name. */
export interface CallInput<K extends RouteKey> {
  params: ParamsOf<K>;
  query?: object | undefined;
  body?: unknown;
  /** Sending it twice has the effect of sending it once (true for GET, PATCH, DELETE by default). */
  idempotent?: boolean;
  /** Read the answer as text rather than JSON. */
  text?: boolean;
  /** Non-2xx statuses whose body is the result rather than an error (e.g. 503 of /healthz). */
  okStatuses?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A timer that an abort signal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Query string of the defined values (arrays repeat the name); empty when there are none. */
function queryString(query: object | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      search.append(name, item instanceof Date ? item.toISOString() : String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export class Transport {
  private readonly baseUrl: string;
  private readonly fetch: FetchLike;

  constructor(private readonly options: HooklineOptions) {
    if (typeof options?.baseUrl !== 'string' || !/^https?:\/\//.test(options.baseUrl))
      throw new TypeError('new Hookline({ baseUrl }): baseUrl must be an http:// or https:// URL');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Call the global through a wrapper: some runtimes reject `fetch` invoked detached from globalThis.
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The URL of a route with its parameters filled in and encoded. */
  url<K extends RouteKey>(route: K, params: ParamsOf<K>, query?: object): string {
    const { template } = splitRoute(route);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (params as Record<string, unknown>)[name];
      if (typeof value !== 'string' || value === '')
        throw new TypeError(`${route}: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
      return encodeURIComponent(value);
    });
    return `${this.baseUrl}${path}${queryString(query)}`;
  }

  /** Send a route's request, retrying per the policy; resolves to the parsed answer. */
  async call<K extends RouteKey, R>(route: K, input: CallInput<K>, options: RequestOptions = {}): Promise<R> {
    const { method } = splitRoute(route);
    const url = this.url(route, input.params, input.query);
    const policy = retryPolicy(mergeRetry(this.options.retry, options.retry));
    const idempotent = input.idempotent ?? method !== 'POST';
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    // Header names are case-insensitive: later layers replace earlier ones whatever their case. The
    // call's own headers come last, so `authorization` there stands in for the client's token.
    const headers = mergeHeaders(
      { accept: input.text ? 'text/plain, */*' : 'application/json, application/problem+json' },
      this.options.headers,
      this.options.token ? { authorization: `Bearer ${this.options.token}` } : undefined,
      body !== undefined ? { 'content-type': 'application/json' } : undefined,
      options.headers,
    );
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const wait = this.options.sleep ?? sleep;
    const random = this.options.random ?? Math.random;
    const now = this.options.now ?? Date.now;

    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      const answer = await this.once(method, url, headers, body, timeoutMs, options.signal);
      let error: HooklineApiError | HooklineNetworkError;
      let retryable: boolean;
      let retryAfterMs: number | null = null;
      if ('failure' in answer) {
        if (options.signal?.aborted) throw options.signal.reason;
        error = new HooklineNetworkError(method, url, attempt, answer.timedOut, answer.failure, timeoutMs);
        retryable = idempotent || neverSent(answer.failure);
      } else if ((answer.status >= 200 && answer.status < 300) || input.okStatuses?.includes(answer.status)) {
        return this.result<R>(answer, input, method, url, attempt);
      } else {
        error = new HooklineApiError(answer.status, answer.text, method, url, attempt);
        retryable = RETRY_STATUSES.has(answer.status) && (idempotent || REFUSED_STATUSES.has(answer.status));
        retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), now());
      }
      const delay = retryable ? retryDelayMs(attempt, retryAfterMs, policy, random) : null;
      if (delay === null) throw error;
      await wait(delay, options.signal);
    }
  }

  private result<R>(
    answer: Answer,
    input: { text?: boolean },
    method: string,
    url: string,
    attempt: number,
  ): R {
    if (input.text) return answer.text as R;
    if (answer.status === 204 || answer.text === '') return undefined as R;
    try {
      return JSON.parse(answer.text) as R;
    } catch {
      throw new HooklineApiError(answer.status, answer.text, method, url, attempt, true);
    }
  }

  /** One HTTP exchange, body read, under the per-attempt timeout; network failures are returned. */
  private async once(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Answer | NetworkFailure> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.fetch(url, { method, headers, body, signal: controller.signal });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (failure) {
      return { failure, timedOut };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

interface NetworkFailure {
  failure: unknown;
  timedOut: boolean;
}

/** Header layers merged by lower-cased name, later ones winning. */
function mergeHeaders(...layers: Array<Record<string, string> | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) merged[name.toLowerCase()] = value;
  }
  return merged;
}

/** A call's retry options on top of the client's: fields it leaves out keep the client's value. */
function mergeRetry(
  client: RetryOptions | false | undefined,
  call: RetryOptions | false | undefined,
): RetryOptions | false | undefined {
  if (call === undefined) return client;
  if (call === false || client === false || client === undefined) return call;
  return { ...client, ...call };
}
