import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hookline, PagedList } from '../src/client/index.js';
import { json, recordingSleep, scriptedFetch, type SentRequest } from './client-helpers.js';

/** A fetch serving `items` (newest first) in pages the way the API does: `iterator` = last id served. */
function pagingServer(items: string[]) {
  return scriptedFetch((request: SentRequest) => {
    const limit = Number(request.url.searchParams.get('limit') ?? 50);
    const after = request.url.searchParams.get('iterator');
    const from = after === null ? 0 : items.indexOf(after) + 1;
    const data = items.slice(from, from + limit).map((id) => ({ id }));
    const done = from + limit >= items.length;
    return json(200, { data, iterator: done ? null : data.at(-1)!.id, done });
  });
}

const MESSAGES = ['msg_7', 'msg_6', 'msg_5', 'msg_4', 'msg_3', 'msg_2', 'msg_1'];

describe('paged lists', () => {
  test('for await walks every item across pages, sending the same filters with each iterator', async () => {
    const { fetch, sent } = pagingServer(MESSAGES);
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch });
    const ids: string[] = [];
    for await (const message of hookline.messages.list('acme', { eventType: 'order.paid', limit: 3 }))
      ids.push(message.id);
    assert.deepEqual(ids, MESSAGES);
    assert.deepEqual(
      sent.map((r) => r.url.search),
      [
        '?eventType=order.paid&limit=3',
        '?eventType=order.paid&limit=3&iterator=msg_5',
        '?eventType=order.paid&limit=3&iterator=msg_2',
      ],
    );
  });

  test('nothing is fetched until used; page() gets one page; pages() goes page by page', async () => {
    const { fetch, sent } = pagingServer(MESSAGES);
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch });
    const list = hookline.messages.attempts('acme', 'msg_1', { limit: 4 });
    assert.equal(sent.length, 0);

    const first = await list.page();
    assert.deepEqual(
      first.data.map((m) => m.id),
      ['msg_7', 'msg_6', 'msg_5', 'msg_4'],
    );
    assert.equal(first.done, false);
    const second = await list.page(first.iterator!);
    assert.deepEqual(
      second.data.map((m) => m.id),
      ['msg_3', 'msg_2', 'msg_1'],
    );
    assert.equal(second.done, true);
    assert.equal(second.iterator, null);
    const requests = sent.length;
    await assert.rejects(list.page(second.iterator as unknown as string), /page\(null\)/);
    assert.equal(sent.length, requests, 'no request: the list does not start again');

    const sizes: number[] = [];
    for await (const page of list.pages()) sizes.push(page.data.length);
    assert.deepEqual(sizes, [4, 3]);
  });

  test('an iterator in the query is where the list starts', async () => {
    const { fetch } = pagingServer(MESSAGES);
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch });
    const rest = await hookline.apps.list({ limit: 2, iterator: 'msg_4' }).toArray();
    assert.deepEqual(
      rest.map((m) => m.id),
      ['msg_3', 'msg_2', 'msg_1'],
    );
  });

  test('toArray(max) fetches only the pages it needs; breaking out of for await stops fetching', async () => {
    const { fetch, sent } = pagingServer(MESSAGES);
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch });
    const three = await hookline.endpoints.list('acme', { limit: 2 }).toArray(3);
    assert.deepEqual(
      three.map((e) => e.id),
      ['msg_7', 'msg_6', 'msg_5'],
    );
    assert.equal(sent.length, 2);
    for await (const _ of hookline.endpoints.list('acme', { limit: 2 })) break;
    assert.equal(sent.length, 3);
  });

  test('an empty list is one request and no items; done ends the walk even with an iterator', async () => {
    const { fetch, sent } = scriptedFetch(json(200, { data: [{ id: 'a' }], iterator: 'more', done: true }));
    const hookline = new Hookline({ baseUrl: 'http://hookline.test', fetch });
    assert.deepEqual(await hookline.apps.list().toArray(), [{ id: 'a' }]);
    assert.equal(sent.length, 1);
    const empty = pagingServer([]);
    const client = new Hookline({ baseUrl: 'http://hookline.test', fetch: empty.fetch });
    assert.deepEqual(await client.apps.list().toArray(), []);
    assert.equal(empty.sent.length, 1);
  });

  test('a page that fails is retried like any call, and the walk goes on', async () => {
    const pages = pagingServer(MESSAGES);
    let calls = 0;
    const { sleep, delays } = recordingSleep();
    const hookline = new Hookline({
      baseUrl: 'http://hookline.test',
      sleep,
      fetch: (input, init) =>
        ++calls === 2
          ? Promise.resolve(json(503, { code: 'store_unavailable', status: 503 }))
          : pages.fetch(input, init),
    });
    const ids = (await hookline.messages.list('acme', { limit: 4 }).toArray()).map((m) => m.id);
    assert.deepEqual(ids, MESSAGES);
    assert.equal(delays.length, 1);
  });

  test('a server that repeats an iterator ends the walk with an error instead of looping', async () => {
    const list = new PagedList<number>(async () => ({ data: [1], iterator: 'same', done: false }), 'same');
    await assert.rejects(list.toArray(), /paging did not advance/);
  });
});
