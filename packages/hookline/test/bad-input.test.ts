import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestHookline } from './helpers/hookline.js';
import { waitFor } from './helpers/wait.js';

let hl: TestHookline;
let app: string;
let endpoint: string;

before(async () => {
  hl = await TestHookline.start({ maxBody: '4096' });
  app = await hl.app('bad-input', 'bad-input-uid');
  endpoint = (await hl.endpoint(app, { url: 'http://127.0.0.1:9/unused', disabled: true })).id;
});
after(() => hl.stop());

/** Assert a problem+json answer with the given status and code, and return its body. */
function assertProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
  assert.equal(res.body.status, status);
  for (const key of ['type', 'title', 'detail']) assert.equal(typeof res.body[key], 'string', key);
  return res.body;
}

async function messageCount(): Promise<number> {
  const stats = await hl.call('GET', `/v1/apps/${app}/stats`);
  return stats.body.count as number;
}

describe('bad input gets a clear 4xx problem and stores nothing', () => {
  it('rejects requests without a valid token', async () => {
    assertProblem(await hl.call('GET', '/v1/apps', undefined, null), 401, 'unauthorized');
    assertProblem(
      await hl.call('GET', '/v1/apps', undefined, 'wrong-token-wrong-token'),
      401,
      'unauthorized',
    );
    assertProblem(
      await hl.call('POST', `/v1/apps/${app}/messages`, { eventType: 'a', payload: {} }, null),
      401,
      'unauthorized',
    );
  });

  it('rejects malformed JSON and non-object payloads, naming the field', async () => {
    assertProblem(
      await hl.call('POST', `/v1/apps/${app}/messages`, '{"eventType": "a",'),
      400,
      'invalid_json',
    );
    assertProblem(await hl.call('POST', `/v1/apps/${app}/messages`, ''), 400, 'invalid_json');
    const cases: Array<[unknown, string]> = [
      [{ eventType: 'a.b' }, 'payload'],
      [{ eventType: 'a.b', payload: [1, 2] }, 'payload'],
      [{ eventType: 'a.b', payload: 'text' }, 'payload'],
      [{ eventType: 'a.b', payload: null }, 'payload'],
      [{ eventType: 'has space', payload: {} }, 'eventType'],
      [{ eventType: 'x'.repeat(257), payload: {} }, 'eventType'],
      [{ eventType: 42, payload: {} }, 'eventType'],
      [{ payload: {} }, 'eventType'],
      [{ eventType: 'a', payload: {}, eventId: '' }, 'eventId'],
      [{ eventType: 'a', payload: {}, extra: true }, 'extra'],
      [[], '(body)'],
    ];
    for (const [body, field] of cases) {
      const problem = assertProblem(
        await hl.call('POST', `/v1/apps/${app}/messages`, body),
        400,
        'validation_failed',
      );
      assert.ok(
        problem.errors.some((e: { field: string }) => e.field === field),
        `${JSON.stringify(body)} → ${JSON.stringify(problem.errors)}`,
      );
      assert.ok(problem.detail.includes(field), problem.detail);
    }
    assert.equal(await messageCount(), 0);
  });

  it('refuses a body nested more than 64 levels deep, naming the member, and impossible dates', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    for (const levels of [63, 1000]) {
      const body = `{"eventType":"a.b","payload":{"a":${nested(levels)}}}`; // 2 + levels deep
      const problem = assertProblem(await hl.call('POST', `/v1/apps/${app}/messages`, body), 400, 'validation_failed');
      assert.equal(problem.errors[0].field, 'payload', JSON.stringify(problem));
    }
    const schema = `{"name":"deep.schema","schema":{"allOf":${nested(100)}}}`;
    const refused = assertProblem(await hl.call('POST', '/v1/event-types', schema), 400, 'validation_failed');
    assert.match(refused.errors[0].field, /^schema\b/);
    assert.equal(await messageCount(), 0);
    for (const since of ['2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-04-31']) {
      const problem = assertProblem(
        await hl.call('GET', `/v1/apps/${app}/stats?since=${since}`),
        400,
        'invalid_query',
      );
      assert.equal(problem.errors[0].field, 'since');
    }
    assertProblem(await hl.call('GET', `/v1/apps/${app}/messages?after=2026-02-31T00:00:00Z`), 400, 'invalid_query');
    assert.equal((await hl.call('GET', `/v1/apps/${app}/stats?since=2024-02-29T00:00:00Z`)).status, 200);
  });

  it('answers 413 for a body over --max-body', async () => {
    const big = { eventType: 'a.b', payload: { blob: 'x'.repeat(5000) } };
    assertProblem(await hl.call('POST', `/v1/apps/${app}/messages`, big), 413, 'payload_too_large');
    assert.equal(await messageCount(), 0);
  });

  it('answers 413 for a chunked body that grows past --max-body without a content-length', async () => {
    const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(`${hl.url}/v1/apps/${app}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hl.server.adminToken}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.write('{"eventType":"a.b","payload":{"blob":"');
      for (let i = 0; i < 5; i++) req.write('x'.repeat(1000));
      req.end('"}}');
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.code, 'payload_too_large');
    assert.equal(await messageCount(), 0);
  });

  it('answers 404 for unknown and malformed ids, and unknown routes', async () => {
    assertProblem(await hl.call('GET', '/v1/apps/app_doesnotexist'), 404, 'app_not_found');
    assertProblem(
      await hl.call('POST', '/v1/apps/nope/messages', { eventType: 'a', payload: {} }),
      404,
      'app_not_found',
    );
    assertProblem(await hl.call('GET', `/v1/apps/${app}/endpoints/ep_missing`), 404, 'endpoint_not_found');
    assertProblem(await hl.call('GET', `/v1/apps/${app}/endpoints/not.an.id`), 404, 'endpoint_not_found');
    assertProblem(await hl.call('GET', `/v1/apps/${app}/messages/msg_missing`), 404, 'message_not_found');
    assertProblem(await hl.call('GET', `/v1/apps/${app}/messages/%00`), 404, 'message_not_found');
    assertProblem(await hl.call('GET', '/v1/nothing-here'), 404, 'not_found');
    assertProblem(await hl.call('GET', `/v1/apps/${app}/`), 404, 'not_found'); // no route ends in a slash
    const put = await hl.call('PUT', '/v1/apps');
    assertProblem(put, 405, 'method_not_allowed');
    assert.equal(put.headers.get('allow'), 'POST, GET');
    const del = await hl.call('DELETE', `/v1/apps/${app}/messages`);
    assertProblem(del, 405, 'method_not_allowed');
    assert.equal(del.headers.get('allow'), 'POST, GET');
  });

  it('looks apps up by uid as well as id', async () => {
    const byUid = await hl.call('GET', '/v1/apps/bad-input-uid');
    assert.equal(byUid.status, 200);
    assert.equal(byUid.body.id, app);
    assertProblem(
      await hl.call('POST', '/v1/apps', { name: 'dup', uid: 'bad-input-uid' }),
      409,
      'uid_conflict',
    );
  });

  it('validates app and endpoint bodies', async () => {
    assertProblem(await hl.call('POST', '/v1/apps', {}), 400, 'validation_failed');
    assertProblem(await hl.call('POST', '/v1/apps', { name: '' }), 400, 'validation_failed');
    assertProblem(await hl.call('POST', '/v1/apps', { name: 'x', uid: 'has.dot' }), 400, 'validation_failed');
    const ep = `/v1/apps/${app}/endpoints`;
    assertProblem(await hl.call('POST', ep, {}), 400, 'validation_failed');
    assertProblem(await hl.call('POST', ep, { url: 'ftp://example.com/' }), 422, 'endpoint_url_refused');
    assertProblem(await hl.call('POST', ep, { url: 'not a url' }), 422, 'endpoint_url_refused');
    assertProblem(
      await hl.call('POST', ep, { url: 'https://example.com', eventTypes: 'a' }),
      400,
      'validation_failed',
    );
    const reserved = assertProblem(
      await hl.call('POST', ep, { url: 'https://example.com', headers: { host: 'evil' } }),
      400,
      'validation_failed',
    );
    assert.deepEqual(reserved.errors, [{ field: 'headers.host', message: 'may not be set (reserved header)' }]);
    assertProblem(
      await hl.call('POST', ep, { url: 'https://example.com', headers: { 'webhook-id': 'x' } }),
      400,
      'validation_failed',
    );
    // Headers no attempt could send: refused up front instead of failing every attempt.
    for (const headers of [{ expect: '100-continue' }, { 'x-note': 'check ✓' }, { 'x-bell': 'a\u0007b' }]) {
      const problem = assertProblem(await hl.call('POST', ep, { url: 'https://example.com', headers }), 400, 'validation_failed');
      assert.match(problem.errors[0].field, /^headers\./);
    }
    const latin1 = await hl.call('POST', ep, { url: 'https://example.com', headers: { 'x-name': 'Zoë\tB' } });
    assert.equal(latin1.status, 201, JSON.stringify(latin1.body));
    assert.equal((await hl.call('DELETE', `${ep}/${latin1.body.id}`)).status, 204); // this file counts endpoints
    assertProblem(
      await hl.call('POST', ep, { url: 'https://example.com', rateLimit: 0 }),
      400,
      'validation_failed',
    );
    assertProblem(await hl.call('PATCH', `${ep}/${endpoint}`, { disabled: 'yes' }), 400, 'validation_failed');
  });

  it('validates the management routes, naming the field, and stores nothing', async () => {
    const expectField = async (method: string, path: string, body: unknown, field: string, status = 400) => {
      const problem = assertProblem(
        await hl.call(method, path, body),
        status,
        status === 400 ? 'validation_failed' : 'endpoint_url_refused',
      );
      assert.ok(
        problem.errors.some((e: { field: string }) => e.field === field),
        `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(problem.errors)}`,
      );
    };
    await expectField('POST', '/v1/event-types', {}, 'name');
    await expectField('POST', '/v1/event-types', { name: 'a.b', extra: 1 }, 'extra');
    await expectField('POST', '/v1/event-types', { name: 'bad name' }, 'name');
    await expectField('POST', '/v1/event-types', { name: 'a.b', schema: 'text' }, 'schema');
    await expectField('POST', '/v1/event-types', { name: 'a.b', schema: { type: 'nope' } }, 'schema.type');
    await expectField('PATCH', '/v1/event-types/a.b', { archived: 'yes' }, 'archived');
    assertProblem(await hl.call('GET', '/v1/event-types?includeArchived=maybe'), 400, 'invalid_query');
    assert.equal((await hl.call('GET', '/v1/event-types?includeArchived=true')).body.data.length, 0);

    const ep = `/v1/apps/${app}/endpoints/${endpoint}`;
    await expectField('POST', `${ep}/recover`, {}, 'since');
    await expectField('POST', `${ep}/recover`, { since: 'yesterday' }, 'since');
    await expectField('POST', `${ep}/recover`, { since: '2026-01-01T00:00:00Z', until: 1 }, 'until');
    await expectField('POST', `${ep}/secret/rotate`, { secret: 'whsec_short' }, 'secret');
    await expectField('POST', `/v1/apps/${app}/tokens`, { name: 5 }, 'name');
    await expectField('POST', `/v1/apps/${app}/tokens`, { scope: 'all' }, 'scope');
    assert.equal((await hl.call('GET', `/v1/apps/${app}/tokens`)).body.data.length, 0);

    const msg = (await hl.send(app, { eventType: 'bad.input', payload: {} })).body.id;
    await expectField('POST', `/v1/apps/${app}/messages/${msg}/resend`, { endpointId: 5 }, 'endpointId');
    const missing = assertProblem(
      await hl.call('POST', `/v1/apps/${app}/messages/${msg}/resend`, { endpointId: 'ep_nope' }),
      404,
      'endpoint_not_found',
    );
    assert.equal(missing.errors[0].field, 'endpointId');

    const eps = `/v1/apps/${app}/endpoints`;
    for (const name of ['content-length', 'Transfer-Encoding', 'WEBHOOK-SIGNATURE', 'svix-id']) {
      await expectField('POST', eps, { url: 'https://example.com', headers: { [name]: 'x' } }, `headers.${name}`);
    }
    // A key a dot would make ambiguous is named in brackets.
    await expectField('POST', eps, { url: 'https://example.com', headers: { 'bad header': 'x' } }, 'headers["bad header"]');
    await expectField('POST', eps, { url: 'https://example.com', headers: { 'X-A': '1', 'x-a': '2' } }, 'headers.x-a');
    const nul = await hl.call('POST', eps, { url: 'https://example.com', headers: { 'x-a': 'a\u0000b' } });
    assert.equal(nul.body.errors.length, 1, JSON.stringify(nul.body.errors));
    for (const url of ['javascript:alert(1)', 'http://user:pw@example.com/', 'file:///etc/passwd']) {
      await expectField('POST', eps, { url }, 'url', 422);
    }
    assert.equal((await hl.call('GET', eps)).body.data.length, 1, 'only the endpoint made in before()');
  });

  it("says what is wrong in hookline's words: required, empty, too small, not an object", async () => {
    const detail = async (method: string, path: string, body: unknown) =>
      assertProblem(await hl.call(method, path, body), 400, 'validation_failed').detail as string;
    assert.equal(await detail('POST', `/v1/apps/${app}/endpoints/${endpoint}/recover`, {}), 'since: is required');
    assert.equal(
      await detail('POST', `/v1/apps/${app}/messages`, { eventType: 'a.b', payload: {}, eventId: '' }),
      'eventId: must not be empty',
    );
    assert.equal(
      await detail('POST', `/v1/apps/${app}/endpoints`, { url: 'http://127.0.0.1:9/x', rateLimit: 0 }),
      'rateLimit: must be at least 1',
    );
    assert.equal(await detail('POST', '/v1/apps', { name: 5 }), 'name: must be a string');
  });

  it('validates paging and stats queries', async () => {
    const list = `/v1/apps/${app}/messages/msg_x/attempts`;
    assertProblem(await hl.call('GET', '/v1/apps?limit=0'), 400, 'invalid_query');
    assertProblem(await hl.call('GET', '/v1/apps?limit=251'), 400, 'invalid_query');
    assertProblem(await hl.call('GET', '/v1/apps?limit=abc'), 400, 'invalid_query');
    assertProblem(await hl.call('GET', '/v1/apps?iterator=garbage!'), 400, 'invalid_iterator');
    assertProblem(
      await hl.call('GET', `/v1/apps?iterator=${Buffer.from('1|x').toString('base64url')}`),
      400,
      'invalid_iterator',
    );
    assertProblem(await hl.call('GET', list), 404, 'message_not_found');
    assertProblem(await hl.call('GET', '/v1/stats?since=yesterday'), 400, 'invalid_query');
    const twice = assertProblem(await hl.call('GET', '/v1/apps?limit=1&limit=3'), 400, 'invalid_query');
    assert.equal(twice.errors[0].field, 'limit');
    // A damaged iterator (cut short in a copy and paste) is refused, not read as another position.
    await hl.app('paged-1');
    await hl.app('paged-2');
    const iterator = (await hl.call('GET', '/v1/apps?limit=1')).body.iterator as string;
    assert.equal((await hl.call('GET', `/v1/apps?limit=1&iterator=${iterator}`)).status, 200);
    assertProblem(await hl.call('GET', `/v1/apps?limit=1&iterator=${iterator.slice(0, -2)}`), 400, 'invalid_iterator');
  });

  it("answers what node's HTTP parser refuses as problem+json too, then closes the connection", async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(hl.url);
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    const parse = (answer: string) => {
      const [head, body] = answer.split('\r\n\r\n');
      assert.match(head!, /\r\ncontent-type: application\/problem\+json\r\n/i);
      assert.match(head!, /\r\nconnection: close/i);
      return { status: Number(head!.split(' ')[1]), problem: JSON.parse(body!) };
    };
    for (const line of ['FOO /v1/apps HTTP/1.1', 'get /v1/apps HTTP/1.1']) {
      const { status, problem } = parse(await raw(`${line}\r\nhost: x\r\n\r\n`));
      assert.deepEqual([status, problem.status, problem.code], [400, 400, 'malformed_request'], line);
    }
    const big = parse(await raw(`GET /v1/apps HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.deepEqual([big.status, big.problem.code], [431, 'headers_too_large']);
  });

  it('refuses query parameters a route does not take, storing nothing', async () => {
    const before = await messageCount();
    for (const [method, path, body] of [
      ['GET', `/v1/apps/${app}?foo=1`, undefined],
      ['GET', `/v1/apps/${app}/endpoints/${endpoint}/secret?foo=1`, undefined],
      ['POST', '/v1/apps?foo=1', { name: 'query-refused' }],
      ['POST', `/v1/apps/${app}/messages?foo=1`, { eventType: 'a', payload: {} }],
    ] as const) {
      const problem = assertProblem(await hl.call(method, path, body), 400, 'invalid_query');
      assert.equal(problem.errors[0].field, 'foo', path);
    }
    assert.equal(await messageCount(), before);
    const names = (await hl.call('GET', '/v1/apps?limit=250')).body.data.map((a: { name: string }) => a.name);
    assert.ok(!names.includes('query-refused'));
  });

  it('pages apps newest first with an opaque iterator', async () => {
    for (let i = 0; i < 4; i++) await hl.app(`page-${i}`);
    const seen: string[] = [];
    let iterator: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: { body: { data: Array<{ id: string }>; iterator: string | null; done: boolean } } =
        await hl.call('GET', `/v1/apps?limit=2${iterator ? `&iterator=${iterator}` : ''}`);
      seen.push(...res.body.data.map((a) => a.id));
      if (res.body.done) break;
      iterator = res.body.iterator;
    }
    assert.equal(seen.length, new Set(seen).size);
    assert.ok(seen.length >= 5);
    assert.equal(seen.at(-1), app, 'the first app created comes last');
  });

  it("refuses another list's iterator, and event type names no path can address", async () => {
    const apps = await hl.call('GET', '/v1/apps?limit=1');
    assert.ok(apps.body.iterator, 'more than one app exists in this file');
    const wrong = await hl.call('GET', `/v1/apps/${app}/messages?iterator=${apps.body.iterator}`);
    assertProblem(wrong, 400, 'invalid_iterator');
    for (const name of ['.', '..']) {
      const res = await hl.call('POST', '/v1/event-types', { name });
      assert.equal(assertProblem(res, 400, 'validation_failed').errors[0].field, 'name');
    }
  });

  it('serves the OpenAPI 3.1 document without auth', async () => {
    const doc = await hl.call('GET', '/openapi.json', undefined, null);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    assert.ok(doc.body.paths['/v1/apps/{app}/messages'].post);
    for (const path of ['/healthz', '/metrics', '/openapi.json']) {
      assert.deepEqual(doc.body.paths[path].get.security, [], `${path}: served without a token`);
    }
  });
});

describe('--api-rate-limit: an app over its limit gets 429 and stores nothing', () => {
  let limited: TestHookline;
  before(async () => {
    limited = await TestHookline.start({ apiRateLimit: '1' });
  });
  after(() => limited.stop());

  it("refuses an app's requests beyond its limit per second, with Retry-After, and not another app's", async () => {
    const busy = await limited.app('busy');
    const calm = await limited.app('calm');
    const send = (app: string) => limited.call('POST', `/v1/apps/${app}/messages`, { eventType: 'a.b', payload: {} });
    // Two at once: a limit of 1 per second admits one; the other comes back well within that second.
    const answers = await Promise.all([send(busy), send(busy)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    const problem = assertProblem(refused, 429, 'rate_limited');
    assert.match(problem.detail, /1 requests per second/);
    assert.equal(refused.headers.get('retry-after'), '1');
    assertProblem(await limited.call('GET', `/v1/apps/${busy}/messages`), 429, 'rate_limited');
    // The limit comes before the body is read: a malformed body over the limit is refused as over the limit.
    assertProblem(await limited.call('POST', `/v1/apps/${busy}/messages`, '{"not json'), 429, 'rate_limited');
    assert.equal((await send(calm)).status, 202, 'another app has a bucket of its own');
    const listed = await waitFor(async () => {
      const res = await limited.call('GET', `/v1/apps/${busy}/messages`);
      return res.status === 200 ? res : null;
    }, 'the bucket to refill', 5_000);
    assert.equal(listed.body.data.length, 1, 'the refused message was not stored');
  });
});
