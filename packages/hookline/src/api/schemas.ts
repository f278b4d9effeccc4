import { z } from '@hono/zod-openapi';
import { EVENT_TYPE_PATTERN } from '../core/envelope.js';
import { isValidSecret } from '../core/secrets.js';

/**
 * Request and response schemas: they validate requests and generate /openapi.json (STYLE.md habit 6).
 * Request objects are strict: an unknown field is rejected with its name.
 */

const EventTypeName = z
  .string()
  .regex(EVENT_TYPE_PATTERN, 'must match ^[a-zA-Z0-9_.-]{1,256}$')
  .openapi({ example: 'order.paid' });

const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-23T10:00:00.000Z' });

/** Whether `s` is an ISO 8601 time whose date exists: Date.parse alone takes 2026-02-30 (as 2 March). */
function isIsoTime(s: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!date || Number.isNaN(Date.parse(s))) return false;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
}

/** An ISO 8601 time in a request (query or body), e.g. 2026-11-23T10:00:00Z. */
const IsoTime = z
  .string()
  .refine(isIsoTime, 'must be an ISO 8601 time')
  .openapi({ format: 'date-time', example: '2026-11-23T10:00:00Z' });

/**
 * Headers an endpoint may not override: they belong to HTTP itself or to the signature (`expect` would make
 * every attempt fail: the HTTP client does not do 100-continue).
 */
export const RESERVED_HEADER =
  /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|upgrade|te|trailer|user-agent|expect|webhook-.*|svix-.*)$/i;

const EndpointHeaders = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/, 'must be a valid header name')
      .refine((name) => !RESERVED_HEADER.test(name), 'may not be set (reserved header)'),
    z
      .string()
      .max(4096)
      .regex(/^[^\r\n]*$/, 'must not contain line breaks')
      // What an HTTP field value may hold (tab, visible ASCII, Latin-1): anything else fails every attempt.
      .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must hold only tabs, printable ASCII and Latin-1 characters'),
  )
  .refine((h) => Object.keys(h).length <= 20, 'may have at most 20 headers')
  .superRefine((headers, ctx) => {
    // Header names are case-insensitive: X-A and x-a would both be sent, merged into one by the receiver.
    const seen = new Map<string, string>();
    for (const name of Object.keys(headers)) {
      const first = seen.get(name.toLowerCase());
      if (first === undefined) seen.set(name.toLowerCase(), name);
      else ctx.addIssue({ code: 'custom', path: [name], message: `repeats ${first} (header names are case-insensitive)` });
    }
  })
  .openapi({ example: { 'x-tenant': 'acme' } });

const Uid = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,256}$/, 'must match ^[a-zA-Z0-9_-]{1,256}$')
  .refine((uid) => !uid.startsWith('app_'), 'must not start with app_ (reserved for ids)')
  .openapi({ description: 'your own key for the app, usable wherever `{app}` is; not starting with `app_` (reserved for ids)' });

export const AppCreate = z
  .strictObject({ name: z.string().min(1).max(256), uid: Uid.nullable().optional() })
  .openapi('AppCreate');
export const AppUpdate = z
  .strictObject({ name: z.string().min(1).max(256).optional(), uid: Uid.nullable().optional() })
  .openapi('AppUpdate');
export const AppOut = z
  .object({
    id: z.string(),
    name: z.string(),
    uid: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('App');

const RateLimit = z.number().int().min(1).max(100_000).nullable().openapi({
  description:
    'Most deliveries per second to this endpoint (bursts of up to one second’s worth); null or absent: no limit. ' +
    'Deliveries over it wait, without an attempt, and other endpoints are not held up. On PostgreSQL every ' +
    'process draws on the same tokens.',
});
const Secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine(isValidSecret, 'must hold 24 to 64 bytes of base64');

export const EndpointCreate = z
  .strictObject({
    url: z.string().max(2048).openapi({ example: 'https://example.com/webhooks' }),
    eventTypes: z.array(EventTypeName).max(256).optional(),
    description: z.string().max(1024).optional(),
    disabled: z.boolean().optional(),
    rateLimit: RateLimit.optional(),
    headers: EndpointHeaders.optional(),
    secret: Secret.optional(),
  })
  .openapi('EndpointCreate');
export const EndpointUpdate = z
  .strictObject({
    url: z.string().max(2048).optional(),
    eventTypes: z.array(EventTypeName).max(256).optional(),
    description: z.string().max(1024).optional(),
    disabled: z.boolean().optional(),
    rateLimit: RateLimit.optional(),
    headers: EndpointHeaders.optional(),
  })
  .openapi('EndpointUpdate');
export const EndpointOut = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string(),
    disabled: z.boolean(),
    rateLimit: z.number().nullable(),
    headers: z.record(z.string(), z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Endpoint');
export const EndpointSecretOut = z.object({ secret: z.string() }).openapi('EndpointSecret');
export const SecretRotate = z
  .strictObject({ secret: Secret.optional() })
  .openapi('SecretRotate', { description: 'The new secret; generated when omitted.' });
export const EndpointRecover = z
  .strictObject({ since: IsoTime })
  .openapi('EndpointRecover', {
    description: 'Re-send failed deliveries of messages created at or after `since`.',
  });

export const MessageCreate = z
  .strictObject({
    eventType: EventTypeName,
    // The parsed object itself, not a copy (a record copies keys and drops `__proto__`), so the event
    // type's schema sees every key that is stored and delivered.
    payload: z
      .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
        message: 'expected a JSON object',
      })
      .openapi({ type: 'object', example: { orderId: 'o_1', amount: 4200 } }),
    eventId: z.string().min(1).max(256).optional(),
  })
  .openapi('MessageCreate');
export const MessageAccepted = z
  .object({ id: z.string(), eventType: z.string(), eventId: z.string().nullable(), timestamp: Timestamp })
  .openapi('MessageAccepted');
export const MessageOut = MessageAccepted.extend({ payload: z.record(z.string(), z.unknown()) }).openapi(
  'Message',
);
export const MessageResend = z
  .strictObject({ endpointId: z.string().max(100).optional() })
  .openapi('MessageResend', { description: 'One endpoint; every endpoint the message matched when omitted.' });
export const Requeued = z
  .object({
    queued: z.number().int().openapi({
      description:
        'Deliveries queued again; one in flight at that moment goes out again once that attempt is recorded. A delivery already waiting to go out is counted but not doubled: resends before it goes out make one attempt.',
    }),
  })
  .openapi('Requeued');

export const AttemptOut = z
  .object({
    id: z.string(),
    messageId: z.string(),
    endpointId: z.string(),
    attemptNumber: z.number().int(),
    status: z.enum(['succeeded', 'failed']),
    responseStatusCode: z.number().int().nullable(),
    responseBody: z
      .string()
      .describe(
        "The receiver's response body as UTF-8 text, its first 4,096 characters (U+0000 shown as U+FFFD); empty without a response",
      ),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Attempt');

export const ListQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 250')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be from 1 to 250').max(250, 'must be from 1 to 250'))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: 250, default: 50 }),
  iterator: z.string().max(512).optional(),
});

export const MessageListQuery = ListQuery.extend({
  eventType: EventTypeName.optional(),
  before: IsoTime.optional().openapi({ description: 'Only messages created before this time' }),
  after: IsoTime.optional().openapi({ description: 'Only messages created after this time' }),
});

export const StatsQuery = z.strictObject({
  since: IsoTime.optional().openapi({
    description:
      'Deliveries created (their message\'s timestamp) at or after this time. Without it, all retained history.',
  }),
});

export const StatsOut = z
  .object({
    count: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
    successRate: z.number().nullable(),
    delayMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  })
  .openapi('Stats');

/** A page of a newest-first list. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), iterator: z.string().nullable(), done: z.boolean() }).openapi(name);
}

export const ProblemOut = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const JsonSchema = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'JSON Schema (2020-12, or draft-07 via $schema) for `payload`' });

export const EventTypeCreate = z
  .strictObject({
    // `.` and `..` are path segments, not names: a type so named could never be read, changed or archived
    // at /v1/event-types/{name}. Messages may still carry them (CONTRACT.md's pattern).
    name: EventTypeName.refine((name) => name !== '.' && name !== '..', 'cannot be "." or ".."'),
    description: z.string().max(1024).optional(),
    schema: JsonSchema.nullable().optional(),
  })
  .openapi('EventTypeCreate');
export const EventTypeUpdate = z
  .strictObject({
    description: z.string().max(1024).optional(),
    schema: JsonSchema.nullable().optional(),
    archived: z.boolean().optional(),
  })
  .openapi('EventTypeUpdate');
export const EventTypeOut = z
  .object({
    name: z.string(),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).nullable(),
    archived: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('EventType');
export const EventTypeListQuery = ListQuery.extend({
  includeArchived: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ type: 'boolean', default: false }),
});

export const TokenCreate = z.strictObject({ name: z.string().max(256).optional() }).openapi('AppTokenCreate');
export const TokenOut = z
  .object({ id: z.string(), name: z.string(), createdAt: Timestamp })
  .openapi('AppToken');
export const TokenCreated = TokenOut.extend({
  token: z.string().openapi({ description: 'The bearer token; shown only in this answer' }),
}).openapi('AppTokenCreated');

export const OperationalWebhookOut = z
  .object({
    url: z.string(),
    secret: z.string(),
    appId: z.string(),
    endpointId: z.string(),
    disabled: z.boolean(),
    eventTypes: z.array(z.string()),
  })
  .openapi('OperationalWebhook');
