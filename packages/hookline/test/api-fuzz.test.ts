import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../src/api/errors.js';
import { TestHookline } from './helpers/hookline.js';

// Random methods, paths, queries, bodies and tokens against one server: never a 5xx, every error a
// problem+json with a registered code and its status, never a stack trace.
let hl: TestHookline;
let operations: Array<[string, string]> = [];
const ids: string[] = [];
const validTokens: string[] = [];

before(async () => {
  hl = await TestHookline.start({ maxBody: '4096' });
  const app = await hl.app('fuzz', 'fuzz-uid');
  const ep = await hl.endpoint(app, { url: 'http://127.0.0.1:9/fuzz', disabled: true });
  const msg = (await hl.send(app, { eventType: 'order.paid', payload: { a: 1 } })).body.id;
  const token = (await hl.call('POST', `/v1/apps/${app}/tokens`, {})).body;
  await hl.call('POST', '/v1/event-types', { name: 'order.paid', schema: { type: 'object', required: ['a'] } });
  ids.push(app, 'fuzz-uid', ep.id, msg, token.id, 'order.paid', 'app_01', 'ep_x', 'msg_', 'tok_1');
  validTokens.push(hl.server.adminToken, token.token);
  const doc = (await hl.call('GET', '/openapi.json', undefined, null)).body;
  operations = Object.entries(doc.paths as Record<string, object>).flatMap(([route, methods]) =>
    Object.keys(methods).map((method): [string, string] => [method.toUpperCase(), route]),
  );
});
after(() => hl.stop());

const FIELDS = [
  'name', 'uid', 'url', 'eventTypes', 'description', 'disabled', 'rateLimit', 'headers', 'secret', 'eventType',
  'payload', 'eventId', 'endpointId', 'since', 'schema', 'archived', 'unknownField',
];
const QUERY = ['limit', 'iterator', 'since', 'before', 'after', 'eventType', 'includeArchived', 'page'];

// Mostly real ids (so requests get past routing and lookups), sometimes hostile or random text.
const segment = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.constantFrom('', '.', '..', '%00', '%2e%2e', '%2F', 'x'.repeat(300)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 24, unit: 'grapheme' }).map(encodeURIComponent) },
  );

/** Mostly a documented operation with its parameters filled; sometimes any method on any path. */
const request = () =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.constantFrom(...operations), fc.array(segment(), { minLength: 4, maxLength: 4 }))
        .map(([[method, route], values]): [string, string] => {
          let i = 0;
          return [method, route.replace(/\{\w+\}/g, () => values[i++]!)];
        }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
        fc.array(segment(), { maxLength: 6 }).map((parts) => `/v1/${parts.join('/')}`),
      ),
    },
  );

const token = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...validTokens) },
    { weight: 1, arbitrary: fc.constantFrom(null, 'garbage-token', 'hk_app_forged') },
  );

const query = () =>
  fc
    .dictionary(
      fc.constantFrom(...QUERY),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constant('2026-11-23T10:00:00Z')),
      { maxKeys: 3 },
    )
    .map((q) => (Object.keys(q).length ? `?${new URLSearchParams(q)}` : ''));

const body = () =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
    {
      weight: 6,
      arbitrary: fc
        .dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
        .map((v) => JSON.stringify(v)),
    },
    {
      weight: 1,
      arbitrary: fc.constant(JSON.stringify({ eventType: 'order.paid', payload: { blob: 'x'.repeat(5000) } })),
    },
  );

it('answers random requests with 2xx-4xx only, every error a registered problem', async () => {
  await fc.assert(
    fc.asyncProperty(request(), query(), body(), token(), async ([method, p], q, b, bearer) => {
        // Deleting the fuzzed app itself would leave the rest of the run with nothing but 404s.
        fc.pre(!(method === 'DELETE' && (p === `/v1/apps/${ids[0]}` || p === `/v1/apps/${ids[1]}`)));
        const withBody = method !== 'GET' && b !== undefined;
        const res = await hl.call(method, `${p}${q}`, withBody ? b : undefined, bearer);
        const what = `${method} ${p}${q} ${withBody ? b?.slice(0, 200) : ''} → ${res.status} ${JSON.stringify(res.body)}`;
        assert.ok(res.status < 500, what);
        if (res.status >= 400) {
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
          const code = res.body.code as keyof typeof ERROR_CODES;
          assert.equal(ERROR_CODES[code]?.status, res.status, what);
          assert.doesNotMatch(JSON.stringify(res.body), /\\n\s+at |node_modules/, what);
        }
      }),
    { numRuns: 400 },
  );
});
