import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventTypeCatalog } from '../src/api/event-type-catalog.js';
import { newId } from '../src/core/ids.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TestHookline } from './helpers/hookline.js';

// Two servers for the file: the default (unregistered types allowed) and one with --strict-event-types.
let hl: TestHookline;
let strict: TestHookline;

before(async () => {
  [hl, strict] = await Promise.all([TestHookline.start(), TestHookline.start({ strictEventTypes: true })]);
});
after(() => Promise.all([hl.stop(), strict.stop()]));

const ORDER_SCHEMA = {
  type: 'object',
  required: ['orderId', 'amount'],
  properties: {
    orderId: { type: 'string' },
    amount: { type: 'integer', minimum: 0 },
    items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
    paidAt: { type: 'string', format: 'date-time' },
    'meta.source': { type: 'string' },
    'line items': { type: 'array', items: { type: 'integer' } },
  },
};

async function messageCount(server: TestHookline, app: string): Promise<number> {
  return (await server.call('GET', `/v1/apps/${app}/messages?limit=250`)).body.data.length;
}

describe('event types', () => {
  it('registers, lists, updates, archives and restores event types', async () => {
    const created = await hl.call('POST', '/v1/event-types', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schema: ORDER_SCHEMA,
    });
    assert.equal(created.status, 201);
    assert.deepEqual(
      [created.body.name, created.body.description, created.body.archived, created.body.schema],
      ['invoice.paid', 'An invoice was paid', false, ORDER_SCHEMA],
    );
    const duplicate = await hl.call('POST', '/v1/event-types', { name: 'invoice.paid' });
    assert.deepEqual([duplicate.status, duplicate.body.code], [409, 'event_type_conflict']);
    await hl.call('POST', '/v1/event-types', { name: 'invoice.voided' });

    const patched = await hl.call('PATCH', '/v1/event-types/invoice.voided', { description: 'Voided' });
    assert.deepEqual([patched.body.description, patched.body.schema], ['Voided', null]);
    const deleted = await hl.call('DELETE', '/v1/event-types/invoice.voided');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers.get('content-type'), null, 'a 204 has no content to give a type');
    const archived = await hl.call('GET', '/v1/event-types/invoice.voided');
    assert.equal(archived.body.archived, true, 'archived types stay readable');
    const live = await hl.call('GET', '/v1/event-types');
    assert.deepEqual(
      live.body.data.map((e: { name: string }) => e.name),
      ['invoice.paid'],
    );
    const everything = await hl.call('GET', '/v1/event-types?includeArchived=true&limit=1');
    assert.deepEqual([everything.body.data[0].name, everything.body.done], ['invoice.voided', false]);
    const restored = await hl.call('PATCH', '/v1/event-types/invoice.voided', { archived: false });
    assert.equal(restored.body.archived, false);
    const missing = await hl.call('GET', '/v1/event-types/no.such.type');
    assert.deepEqual([missing.status, missing.body.code], [404, 'event_type_not_found']);
    assert.equal((await hl.call('GET', '/v1/event-types/bad%20name')).status, 404);
  });

  it('refuses a payload its schema rejects with 422 naming the failing path, and stores nothing', async () => {
    await hl.call('POST', '/v1/event-types', { name: 'order.created', schema: ORDER_SCHEMA });
    const app = await hl.app('schemas');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ orderId: 'o1' }, 'payload.amount'],
      [{ orderId: 'o1', amount: 'lots' }, 'payload.amount'],
      [{ orderId: 'o1', amount: -1 }, 'payload.amount'],
      [{ orderId: 'o1', amount: 1, items: [{ sku: 'a' }, { sku: 7 }] }, 'payload.items.1.sku'],
      [{ orderId: 'o1', amount: 1, paidAt: 'yesterday' }, 'payload.paidAt'],
      // A key a dot would make ambiguous is written in brackets.
      [{ orderId: 'o1', amount: 1, 'meta.source': 7 }, 'payload["meta.source"]'],
      [{ orderId: 'o1', amount: 1, 'line items': [1, 'x'] }, 'payload["line items"].1'],
    ];
    for (const [payload, field] of cases) {
      const res = await hl.send(app, { eventType: 'order.created', payload });
      assert.equal(res.status, 422, JSON.stringify(payload));
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.equal(res.body.code, 'payload_schema_mismatch');
      assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
      assert.ok(res.body.detail.startsWith(field), res.body.detail);
    }
    assert.equal(await messageCount(hl, app), 0);
    const ok = await hl.send(app, {
      eventType: 'order.created',
      payload: { orderId: 'o1', amount: 5, paidAt: '2026-11-23T10:00:00Z' },
    });
    assert.equal(ok.status, 202);

    // A new schema applies at once; removing it accepts anything again.
    await hl.call('PATCH', '/v1/event-types/order.created', { schema: { type: 'object', required: ['v2'] } });
    const old = await hl.send(app, { eventType: 'order.created', payload: { orderId: 'o1', amount: 5 } });
    assert.equal(old.body.errors[0].field, 'payload.v2');
    await hl.call('PATCH', '/v1/event-types/order.created', { schema: null });
    assert.equal((await hl.send(app, { eventType: 'order.created', payload: {} })).status, 202);
  });

  it('refuses a schema that does not compile, naming the schema field', async () => {
    const selfLoops = [{ $ref: '#' }, { anyOf: [{ $ref: '#' }] }, { if: { type: 'object' }, then: { $ref: '#' } }];
    const unknownDialect = { $schema: 'https://example.com/no-such-meta-schema' };
    for (const schema of [{ type: 'objekt' }, { $ref: 'https://example.com/remote.json' }, { minimum: 'x' }, unknownDialect, ...selfLoops]) {
      const res = await hl.call('POST', '/v1/event-types', { name: 'broken.schema', schema });
      assert.equal(res.status, 400, JSON.stringify(schema));
      assert.match(res.body.errors[0].field, /^schema\b/);
    }
    // A keyword its meta-schema refuses is named where it is, in plain words.
    const bad = await hl.call('POST', '/v1/event-types', { name: 'broken.schema', schema: { properties: { a: { minimum: 'x' } } } });
    assert.deepEqual(bad.body.errors, [{ field: 'schema.properties.a.minimum', message: 'must be number' }]);
    assert.equal((await hl.call('GET', '/v1/event-types/broken.schema')).status, 404, 'nothing stored');
    const draft7 = await hl.call('POST', '/v1/event-types', {
      name: 'draft7.type',
      schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['a'] },
    });
    assert.equal(draft7.status, 201);
  });

  it('refuses with 422, not a failure, a payload that sends its schema into a loop', async () => {
    // Only a payload with `x` reaches the loop, so the trial run at registration passes this schema.
    const schema = { if: { type: 'object', required: ['x'] }, then: { $ref: '#' } };
    assert.equal((await hl.call('POST', '/v1/event-types', { name: 'loop.later', schema })).status, 201);
    const app = await hl.app('schema-loop');
    const res = await hl.send(app, { eventType: 'loop.later', payload: { x: 1 } });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.code, 'payload_schema_mismatch');
    assert.match(res.body.detail, /refers to itself without end/);
    assert.equal((await hl.send(app, { eventType: 'loop.later', payload: { y: 1 } })).status, 202);
    assert.equal(await messageCount(hl, app), 1);
  });

  it('accepts unregistered types by default; --strict-event-types refuses unregistered and archived', async () => {
    const loose = await hl.app('loose');
    assert.equal((await hl.send(loose, { eventType: 'never.registered', payload: {} })).status, 202);

    const app = await strict.app('strict');
    const unknown = await strict.send(app, { eventType: 'never.registered', payload: {} });
    assert.deepEqual([unknown.status, unknown.body.code], [422, 'event_type_not_registered']);
    assert.equal(unknown.body.errors[0].field, 'eventType');
    await strict.call('POST', '/v1/event-types', { name: 'user.created' });
    assert.equal((await strict.send(app, { eventType: 'user.created', payload: {} })).status, 202);
    await strict.call('DELETE', '/v1/event-types/user.created');
    const archived = await strict.send(app, { eventType: 'user.created', payload: {} });
    assert.deepEqual([archived.status, archived.body.code], [422, 'event_type_not_registered']);
    assert.match(archived.body.detail, /archived/);
    assert.equal(await messageCount(strict, app), 1);
  });
});

describe('event type catalog', () => {
  it('keeps a bounded number of compiled schemas, and still checks a payload whose schema was dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-catalog-'));
    const store = new SqliteStore(join(dir, 'catalog.db'));
    try {
      await store.migrate();
      const names = ['a.one', 'a.two', 'a.three'];
      for (const name of names) {
        await store.createEventType({ id: newId('et', 0), name, description: '', schema: ORDER_SCHEMA, createdAt: 1 });
      }
      const catalog = new EventTypeCatalog(store, false, Date.now, 1000, 2);
      for (const name of names) await catalog.checkMessage(name, { orderId: 'o', amount: 1 });
      assert.equal(catalog.compiledSchemas, 2);
      await assert.rejects(catalog.checkMessage('a.one', { orderId: 'o' }), /payload\.amount/);
      assert.equal(catalog.compiledSchemas, 2);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
