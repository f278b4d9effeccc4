import { ConflictError, StoreBusyError, StoreUnavailableError } from '../store/errors.js';
import { InvalidIteratorError } from '../store/paging.js';

/**
 * Every error code the API can answer with, its HTTP status and title. docs/errors.md lists the same
 * codes, and a test fails when the two differ (STYLE.md, fastify's habit).
 */
export const ERROR_CODES = {
  malformed_request: { status: 400, title: 'The request is not valid HTTP' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  validation_failed: { status: 400, title: 'A field of the request is invalid' },
  invalid_query: { status: 400, title: 'A query parameter is invalid' },
  invalid_iterator: { status: 400, title: 'The iterator is malformed' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  forbidden: { status: 403, title: 'This token may not use this route' },
  not_found: { status: 404, title: 'No such route' },
  app_not_found: { status: 404, title: 'No such app' },
  endpoint_not_found: { status: 404, title: 'No such endpoint' },
  message_not_found: { status: 404, title: 'No such message' },
  event_type_not_found: { status: 404, title: 'No such event type' },
  token_not_found: { status: 404, title: 'No such app token' },
  operational_webhook_not_configured: { status: 404, title: 'No operational webhook URL is configured' },
  method_not_allowed: { status: 405, title: 'Method not allowed on this route' },
  request_timeout: { status: 408, title: 'The request did not arrive in time' },
  uid_conflict: { status: 409, title: 'Another app already has this uid' },
  event_type_conflict: { status: 409, title: 'An event type with this name exists' },
  endpoint_disabled: { status: 409, title: 'The endpoint is disabled' },
  event_id_in_flight: {
    status: 409,
    title: 'A message with this eventId is being enqueued by a transaction that has not committed',
  },
  app_busy: { status: 409, title: "The app's messages are being enqueued by a transaction that has not committed" },
  payload_too_large: { status: 413, title: 'The request body is larger than the limit' },
  endpoint_url_refused: { status: 422, title: 'The endpoint URL is not allowed' },
  event_type_not_registered: { status: 422, title: 'The event type is not registered' },
  payload_schema_mismatch: { status: 422, title: "The payload does not match the event type's schema" },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'The request headers are larger than the limit' },
  internal_error: { status: 500, title: 'Internal error' },
  store_unavailable: { status: 503, title: 'The database is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One field-level problem, as listed in a problem's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$|^\d+$/;

/**
 * A field's path as `errors[].field` names it: `payload.items.0.price`; a key that is not ASCII letters, digits,
 * `_`, `-` and `$` starting with a non-digit (or all digits) is a JSON string in brackets, `payload["a.b"]`.
 */
export function fieldPath(parts: ReadonlyArray<string | number>): string {
  let path = '';
  for (const part of parts) {
    const key = String(part);
    if (PLAIN_KEY.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}

/** The one HTTP error class: thrown anywhere below a route, turned into problem+json in one place. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.status = ERROR_CODES[code].status;
  }
}

/**
 * The HTTP error a thrown error stands for, or null when it is unexpected (then it is a 500 and gets logged).
 * Both the Hono routes and the ingest fast path answer through this one mapping.
 */
export function asHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidIteratorError)
    return new HttpError('invalid_iterator', 'iterator is malformed; pass back one from a previous page');
  if (error instanceof ConflictError) {
    const code = error.field === 'name' ? 'event_type_conflict' : 'uid_conflict';
    return new HttpError(code, error.message, [{ field: error.field, message: 'already taken' }]);
  }
  if (error instanceof StoreUnavailableError)
    return new HttpError('store_unavailable', error.message, undefined, { 'retry-after': '1' });
  if (error instanceof StoreBusyError) return new HttpError(error.code, error.message, undefined, { 'retry-after': '1' });
  return null;
}

/** The problem+json body of an error (RFC 9457), with hookline's stable `code`. */
export function problemBody(code: ErrorCode, detail: string, errors?: FieldError[]): Record<string, unknown> {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `https://hookline.dev/errors/${code}`,
    title,
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** A web-standard problem+json Response. */
export function problemResponse(
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify(problemBody(code, detail, errors)), {
    status: ERROR_CODES[code].status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
