import type { components } from './api-types.js';

/** A problem+json body (RFC 9457) as hookline answers errors, with its stable `code`. */
export type Problem = components['schemas']['Problem'];

/** One field-level problem of a 400/422 answer. */
export type FieldProblem = NonNullable<Problem['errors']>[number];

/** Base class of the client's errors: catch it to handle any failed call. */
export class HooklineError extends Error {
  override name = 'HooklineError';

  constructor(
    message: string,
    /** The HTTP method of the failed call. */
    readonly method: string,
    /** The URL of the failed call. */
    readonly url: string,
    /** How many times the request was sent (1 + retries). */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The API answered with an error status. `code` is hookline's stable problem code (docs/errors.md):
 * match on it, never on the message. Answers that are not problem+json (a proxy's 502 page) get
 * `code: 'http_error'`; a 2xx whose body is not the JSON expected gets `code: 'invalid_response'`.
 */
export class HooklineApiError extends HooklineError {
  override name = 'HooklineApiError';
  /** The problem+json body, or null when the answer was something else. */
  readonly problem: Problem | null;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** The problem's `type` URI (`https://hookline.dev/errors/<code>`), or `about:blank`. */
  readonly type: string;
  /** The fields a 400/422 names, each with what is wrong with it. */
  readonly errors: FieldProblem[];

  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    body: string,
    method: string,
    url: string,
    attempts: number,
    invalidResponse = false,
  ) {
    const problem = invalidResponse ? null : parseProblem(body);
    const code = problem?.code ?? (invalidResponse ? 'invalid_response' : 'http_error');
    const detail =
      problem?.detail ??
      (invalidResponse ? 'the answer is not the JSON expected' : body.slice(0, 200) || `HTTP ${status}`);
    super(`${method} ${url}: ${status} ${code}: ${detail}`, method, url, attempts);
    this.problem = problem;
    this.code = code;
    this.detail = detail;
    this.title = problem?.title ?? `HTTP ${status}`;
    this.type = problem?.type ?? 'about:blank';
    this.errors = problem?.errors ?? [];
  }
}

/**
 * The request got no HTTP answer: the connection failed or was cut, DNS failed, or no answer came within
 * the timeout (`timedOut`). `cause` holds what `fetch` threw.
 */
export class HooklineNetworkError extends HooklineError {
  override name = 'HooklineNetworkError';

  constructor(
    method: string,
    url: string,
    attempts: number,
    /** True when the per-attempt timeout ended the request. */
    readonly timedOut: boolean,
    cause: unknown,
    timeoutMs: number,
  ) {
    const reason = timedOut
      ? `no answer within ${timeoutMs} ms`
      : cause instanceof Error
        ? describeCause(cause)
        : String(cause);
    super(`${method} ${url}: ${reason}`, method, url, attempts, { cause });
  }
}

function describeCause(error: Error): string {
  const inner = (error as { cause?: unknown }).cause;
  // Node's fetch throws "fetch failed" and keeps the useful part (ECONNREFUSED …) in `cause`.
  return inner instanceof Error ? `${error.message} (${inner.message})` : error.message;
}

function parseProblem(body: string): Problem | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      typeof (parsed as Problem).code === 'string' &&
      typeof (parsed as Problem).status === 'number'
    ) {
      const problem = parsed as Problem;
      return {
        ...problem,
        title: String(problem.title ?? ''),
        detail: String(problem.detail ?? ''),
        type: String(problem.type ?? 'about:blank'),
      };
    }
  } catch {
    // Not JSON: the caller reports it as an `http_error` with the text.
  }
  return null;
}
