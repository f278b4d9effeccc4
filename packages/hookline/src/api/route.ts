import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type JsonBody, parseJsonBody, readCappedBody } from './body.js';
import { type FieldError, fieldPath, HttpError } from './errors.js';
import { ProblemOut } from './schemas.js';

/** Who is calling: the admin, or a token scoped to one app. */
export type Principal = { kind: 'admin' } | { kind: 'app'; appId: string };

/** Which callers a route admits: admin only, or admin and the app's own scoped token, or anyone. */
export type Access = 'admin' | 'app' | 'public';

/** Checks the caller's token against a route's access; throws 401/403, returns who called. */
export type Authorize = (
  authorization: string | undefined,
  access: Access,
  params: Record<string, string>,
) => Promise<Principal | null>;

export interface RouteInput<B, Q> {
  body: B;
  /** The text of each top-level member of the body as sent (empty without a body). */
  bodyMembers: Map<string, string>;
  query: Q;
  params: Record<string, string>;
  principal: Principal | null;
  c: Context;
}

export interface RouteSpec<B, Q> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI-style path, `{name}` for parameters. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  /** An empty body is read as `{}` (every field of `body` is optional). */
  bodyOptional?: boolean;
  query?: z.ZodType<Q>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: RouteInput<B, Q>) => Promise<Response> | Response;
}

/** Turn zod issues into field errors that name the field (`payload`, `eventTypes.0`). */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const parts = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    const path = fieldPath(parts);
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      return {
        field: fieldPath([...parts, ...keys.slice(0, 1)]) || '(body)',
        message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`,
      };
    }
    if (issue.code === 'invalid_key') {
      // A record key failed its own check (e.g. a reserved header name): say that check's message.
      const inner = (issue as { issues?: Array<{ message: string }> }).issues?.[0]?.message;
      return { field: path || '(body)', message: inner ?? issue.message };
    }
    return { field: path || '(body)', message: plainWords(issue) };
  });
}

const ARTICLE: Record<string, string> = { object: 'a JSON object', array: 'an array', string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false' };

/** The common checks in hookline's words ("is required", "must not be empty") rather than the schema library's. */
function plainWords(issue: z.core.$ZodIssue): string {
  const detail = issue as { expected?: string; minimum?: number | bigint; maximum?: number | bigint; origin?: string };
  if (issue.code === 'invalid_type') {
    if (/received undefined$/.test(issue.message)) return 'is required';
    const expected = detail.expected && ARTICLE[detail.expected];
    if (expected) return `must be ${expected}`;
  }
  if (issue.code === 'too_small' && detail.origin === 'string') {
    return Number(detail.minimum) === 1 ? 'must not be empty' : `must be at least ${detail.minimum} characters long`;
  }
  if (issue.code === 'too_big' && detail.origin === 'string') return `must be at most ${detail.maximum} characters long`;
  if (issue.code === 'too_small' && detail.origin === 'number') return `must be at least ${detail.minimum}`;
  if (issue.code === 'too_big' && detail.origin === 'number') return `must be at most ${detail.maximum}`;
  return issue.message;
}

function invalid(code: 'validation_failed' | 'invalid_query', errors: FieldError[]): HttpError {
  const first = errors[0]!;
  return new HttpError(code, `${first.field}: ${first.message}`, errors);
}

/**
 * The parsed body of a Hono request; on node-server the IncomingMessage itself is read (no web stream).
 * With `optional`, an empty body reads as `{}` (`curl -X POST …/resend`).
 */
async function readJson(c: Context, maxBytes: number, optional = false): Promise<JsonBody> {
  const incoming = (c.env as { incoming?: AsyncIterable<Uint8Array> } | undefined)?.incoming;
  const stream = incoming ?? (c.req.raw.body as unknown as AsyncIterable<Uint8Array> | null);
  const text = await readCappedBody(stream, c.req.header('content-length'), maxBytes);
  return optional && text.trim() === '' ? { value: {}, members: new Map() } : parseJsonBody(text);
}

/** Validate `value` against a schema, or throw the 400 that names the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: 'validation_failed' | 'invalid_query'): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(code, fieldErrors(parsed.error));
  const unstorable = unstorableField(value, []);
  if (unstorable !== null) throw invalid(code, [unstorable]);
  return parsed.data;
}

/** Text no store can keep and read back as it came: U+0000, and half a surrogate pair (a lone `\ud800`). */
const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorableIn(text: string): string | null {
  if (text.includes(NUL)) return 'contains a NUL character (\\u0000), which no text field may hold';
  if (LONE_SURROGATE.test(text)) return 'contains half of a UTF-16 surrogate pair (e.g. a lone \\ud800), which is not text';
  return null;
}

/**
 * The first field whose text holds what no store keeps as sent (U+0000: PostgreSQL's text cannot store it;
 * a lone surrogate: both stores turn it into replacement characters, differently), or null; both stores
 * refuse it up front, alike. Members kept as JSON text (`payload`, an event type's `schema`) keep such
 * characters escaped and are not looked into.
 */
function unstorableField(value: unknown, path: string[]): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const message = unstorableIn(value);
    return message === null ? null : { field: fieldPath(path) || '(body)', message };
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    if (path.length === 0 && (key === 'payload' || key === 'schema')) continue;
    const message = unstorableIn(key);
    if (message !== null) return { field: fieldPath([...path, key]), message };
    const found = unstorableField(item, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The query of a route that takes one, validated like a body; a route without one takes no parameters. A
 * parameter given twice is refused rather than read as its first value (`?limit=1&limit=3`).
 */
function parseQuery<Q>(c: Context, schema: z.ZodType<Q> | undefined): Q {
  const all = c.req.queries();
  for (const [name, values] of Object.entries(all)) {
    if (values.length > 1) throw invalid('invalid_query', [{ field: name, message: 'is given more than once' }]);
  }
  // Each name has one value now: the query as the schema reads it, without parsing the URL again.
  if (schema) return parseWith(schema, Object.fromEntries(Object.entries(all).map(([name, [value]]) => [name, value])), 'invalid_query');
  const [unknown] = Object.keys(all);
  if (unknown !== undefined) {
    throw invalid('invalid_query', [{ field: unknown, message: 'unknown parameter: this route takes no query parameters' }]);
  }
  return {} as Q;
}

const PARAM = /\{(\w+)\}/g;

/**
 * Register one route: its handler on the Hono app (with body/query validation through the same schemas)
 * and its description in the OpenAPI registry, so the document can never drift from what is enforced.
 */
function defineRoute<B, Q>(
  app: OpenAPIHono,
  spec: RouteSpec<B, Q>,
  authorize: Authorize,
  maxBodyBytes: number,
): void {
  const honoPath = spec.path.replace(PARAM, ':$1');
  const paramNames = [...spec.path.matchAll(PARAM)].map((m) => m[1]!);
  app.on(spec.method.toUpperCase(), honoPath, async (c) => {
    const params = c.req.param() as Record<string, string>;
    const principal = await authorize(c.req.header('authorization'), spec.access, params);
    const query = parseQuery(c, spec.query);
    const json = spec.body ? await readJson(c, maxBodyBytes, spec.bodyOptional) : null;
    const body = json ? parseWith(spec.body!, json.value, 'validation_failed') : (undefined as B);
    return spec.handler({ body, bodyMembers: json?.members ?? new Map(), query, params, principal, c });
  });

  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { 'application/json': { schema: r.schema } } }
      : { description: r.description };
  }
  responses.default = {
    description: 'Error',
    content: { 'application/problem+json': { schema: ProblemOut } },
  };
  app.openAPIRegistry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: [spec.tag],
    security: spec.access === 'public' ? [] : [{ bearer: [] }],
    // Who may call it, for the generated reference: the admin only, or an app-scoped token of {app} too.
    'x-hookline-access': spec.access,
    request: {
      ...(paramNames.length > 0
        ? { params: z.object(Object.fromEntries(paramNames.map((n) => [n, z.string()]))) }
        : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body
        ? {
            body: {
              required: !spec.bodyOptional,
              content: { 'application/json': { schema: spec.body as never } },
            },
          }
        : {}),
    },
    responses: responses as never,
  });
}

/** Registers routes on one app with one authorizer. */
export type DefineRoute = <B = undefined, Q = Record<string, never>>(spec: RouteSpec<B, Q>) => void;

export function makeRouter(app: OpenAPIHono, authorize: Authorize, maxBodyBytes: number): DefineRoute {
  return (spec) => defineRoute(app, spec, authorize, maxBodyBytes);
}
