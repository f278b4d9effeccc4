import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { sendMessage } from '@hookline/sdk';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { postgresBackend } from './helpers/backend.js';
import { TestHookline } from './helpers/hookline.js';
import { adminQuery, connect, skipWithoutPg } from './helpers/postgres.js';
import { Receiver } from './helpers/receiver.js';
import { waitFor } from './helpers/wait.js';

/** Transactional enqueue: `hookline.send_message(...)` inside the platform's own transaction. */
describe('hookline.send_message on PostgreSQL', { skip: skipWithoutPg }, () => {
  let hl: TestHookline;
  let rx: Receiver;
  let platform: pg.Client;
  let appId: string;
  let secret: string;
  const role = `hookline_platform_${randomBytes(4).toString('hex')}`;
  const delivered = (id: string) => rx.requests.filter((r) => r.headers['webhook-id'] === id);

  before(async () => {
    rx = await Receiver.start();
    hl = await TestHookline.start({ retrySchedule: '100ms' }, {}, postgresBackend);
    appId = await hl.app('shop', 'shop');
    secret = (await hl.endpoint(appId, { url: `${rx.url}/hook` })).secret;
    platform = await connect(hl.db);
    await platform.query('CREATE TABLE orders (id text PRIMARY KEY, paid boolean NOT NULL DEFAULT false)');
  });
  // A test that fails half-way must not leave the platform's transaction open for the next one.
  afterEach(async () => {
    await platform?.query('ROLLBACK').catch(() => undefined);
  });
  after(async () => {
    await platform?.end();
    await hl?.stop(); // drops the database, and with it every grant to the role
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await rx?.close();
  });

  it('delivers a message enqueued in a committed transaction, within a second of COMMIT', async () => {
    await platform.query('BEGIN');
    await platform.query(`INSERT INTO orders (id, paid) VALUES ('o_1', true)`);
    const { rows } = await platform.query(`SELECT hookline.send_message('shop', 'order.paid', $1::jsonb) AS id`, [
      '{"orderId": "o_1", "amount": 4200}',
    ]);
    const id = rows[0].id as string;
    assert.match(id, /^msg_[0-9A-Z]{26}$/);
    assert.equal(delivered(id).length, 0, 'nothing leaves before COMMIT');
    await platform.query('COMMIT');
    const committedAt = Date.now();

    const [request] = await waitFor(() => (delivered(id).length ? delivered(id) : null), 'the delivery');
    assert.ok(request!.at - committedAt < 1000, `delivered ${request!.at - committedAt} ms after COMMIT`);
    const event = new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>) as {
      type: string;
      data: unknown;
    };
    assert.equal(event.type, 'order.paid');
    assert.deepEqual(event.data, { orderId: 'o_1', amount: 4200 });

    const message = await hl.call('GET', `/v1/apps/${appId}/messages/${id}`);
    assert.equal(message.status, 200);
    assert.deepEqual(message.body.payload, { orderId: 'o_1', amount: 4200 });
    const stats = await waitFor(async () => {
      const s = (await hl.call('GET', `/v1/apps/${appId}/stats`)).body;
      return s.succeeded >= 1 ? s : null;
    }, 'the success in stats');
    assert.equal(stats.count, stats.succeeded + stats.pending + stats.failed);
  });

  it('makes deleting an endpoint, or its app, wait for an open transaction enqueuing to it: nothing left pending', async () => {
    const app = await hl.app('racing', 'racing');
    const ep = await hl.endpoint(app, { url: `${rx.url}/racing` });
    const waitingOnLock = async () =>
      (
        await platform.query(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n > 0;
    const deleteWhileEnqueuing = async (path: string) => {
      await platform.query('BEGIN');
      await platform.query(`SELECT hookline.send_message('racing', 'a.b', '{}'::jsonb)`);
      let settled = false;
      const deleting = hl.call('DELETE', path).finally(() => (settled = true));
      await waitFor(async () => settled || (await waitingOnLock()), 'the delete to wait (or to finish)');
      assert.equal(settled, false, 'the delete waits for the transaction that enqueues to it');
      await platform.query('COMMIT');
      assert.equal((await deleting).status, 204);
    };

    await deleteWhileEnqueuing(`/v1/apps/${app}/endpoints/${ep.id}`);
    const stats = (await hl.call('GET', `/v1/apps/${app}/stats`)).body;
    // Given up by the delete, or, when the dispatcher (woken by the COMMIT's NOTIFY) got there first,
    // delivered just before it: never left pending.
    assert.deepEqual(
      [stats.count, stats.failed + stats.succeeded, stats.pending],
      [1, 1, 0],
      'its delivery was given up (or sent first), not left pending',
    );

    await hl.endpoint(app, { url: `${rx.url}/racing-2` });
    await deleteWhileEnqueuing(`/v1/apps/${app}`);
    const left = await platform.query(
      `SELECT (SELECT count(*) FROM hookline.messages WHERE app_id = $1)::int AS messages,
              (SELECT count(*) FROM hookline.deliveries WHERE app_id = $1)::int AS deliveries`,
      [app],
    );
    assert.deepEqual(left.rows[0], { messages: 0, deliveries: 0 }, 'nothing of the deleted app is left');
  });

  it('leaves no message and no delivery when the transaction rolls back', async () => {
    await platform.query('BEGIN');
    const rolledBack = (await platform.query(`SELECT hookline.send_message('shop', 'order.paid', '{"n": 1}') AS id`))
      .rows[0].id as string;
    await platform.query('ROLLBACK');
    await platform.query('BEGIN');
    const committed = (await platform.query(`SELECT hookline.send_message($1, 'order.paid', '{"n": 2}') AS id`, [appId]))
      .rows[0].id as string;
    await platform.query('COMMIT');

    await waitFor(() => delivered(committed).length === 1, 'the committed message');
    assert.equal(delivered(rolledBack).length, 0);
    const gone = await hl.call('GET', `/v1/apps/${appId}/messages/${rolledBack}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'message_not_found');
  });

  it('returns the first message for a repeated event_id, the API path included', async () => {
    const send = async () =>
      (await platform.query(`SELECT hookline.send_message('shop', 'order.paid', '{"n": 3}', 'evt-7') AS id`))
        .rows[0].id as string;
    const first = await send();
    assert.equal(await send(), first);
    const viaApi = await hl.send(appId, { eventType: 'order.paid', payload: { n: 4 }, eventId: 'evt-7' });
    assert.equal(viaApi.status, 202);
    assert.equal(viaApi.body.id, first);
    await waitFor(() => delivered(first).length === 1, 'one delivery');
  });

  it('an ingest of an eventId an open transaction holds waits outside the write path: the commit answers it, or event_id_in_flight', async () => {
    const hold = async (eventId: string) => {
      await platform.query('BEGIN');
      const { rows } = await platform.query(`SELECT hookline.send_message('shop', 'order.paid', '{"n": 8}', $1) AS id`, [
        eventId,
      ]);
      return rows[0].id as string;
    };
    // Committed while the API waits: it answers with the transaction's message, which is delivered once.
    const held = await hold('evt-held');
    let answered = false;
    const waiting = hl
      .send(appId, { eventType: 'order.paid', payload: { n: 9 }, eventId: 'evt-held' })
      .finally(() => (answered = true));
    const other = await hl.send(appId, { eventType: 'order.paid', payload: { n: 10 }, eventId: 'evt-free' });
    assert.equal(other.status, 202, "the process's other writes go on meanwhile");
    assert.equal(answered, false, 'the held eventId waits for the transaction');
    await platform.query('COMMIT');
    const answer = await waiting;
    assert.equal(answer.status, 202);
    assert.equal(answer.body.id, held);
    await waitFor(() => delivered(held).length === 1 && delivered(other.body.id).length === 1, 'both deliveries');

    // Left open: the API gives up after a few seconds, having stored nothing, and the client may retry.
    const open = await hold('evt-open');
    const refused = await hl.send(appId, { eventType: 'order.paid', payload: { n: 11 }, eventId: 'evt-open' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'event_id_in_flight');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.body.detail, /eventId "evt-open" is being enqueued for this app by another transaction that has not committed/);
    await platform.query('ROLLBACK');
    const retried = await hl.send(appId, { eventType: 'order.paid', payload: { n: 12 }, eventId: 'evt-open' });
    assert.equal(retried.status, 202);
    assert.notEqual(retried.body.id, open, 'the rolled-back message never existed');
    const stored = await platform.query(`SELECT count(*)::int AS n FROM hookline.messages WHERE event_id = 'evt-open'`);
    assert.equal(stored.rows[0].n, 1);
  });

  it('a delete that waits for an open transaction holds up neither the app nor anyone else: app_busy after 5 s', async () => {
    const app = await hl.app('busy', 'busy');
    const ep = await hl.endpoint(app, { url: `${rx.url}/busy` });
    await platform.query('BEGIN');
    await platform.query(`SELECT hookline.send_message('busy', 'a.b', '{}'::jsonb)`);
    let settled = false;
    const deleting = hl.call('DELETE', `/v1/apps/${app}/endpoints/${ep.id}`).finally(() => (settled = true));
    for (let i = 0; i < 5; i++) {
      const sent = await hl.send(app, { eventType: 'a.b', payload: { i } });
      assert.equal(sent.status, 202, "the app's ingest goes on while the delete waits");
    }
    assert.equal(settled, false, 'the delete still waits for the transaction');
    const refused = await deleting;
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'app_busy');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await hl.call('GET', `/v1/apps/${app}/endpoints/${ep.id}`)).status, 200, 'nothing was deleted');
    await platform.query('COMMIT');
    assert.equal((await hl.call('DELETE', `/v1/apps/${app}/endpoints/${ep.id}`)).status, 204);
  });

  it('a delete waits for rows others hold only briefly at a time: it never holds up writes behind it', async () => {
    // A write unit locks an endpoint's rows in another order than a delete does; the delete must give way
    // (roll back, try again) rather than wait, or PostgreSQL needs a second to find the deadlock, and every
    // write of that unit's process waits meanwhile (fault audit: 500s and 1-2 s stalls under load).
    const app = await hl.app('rows', 'rows');
    const ep = await hl.endpoint(app, { url: `${rx.url}/rows` });
    await platform.query('BEGIN');
    await platform.query('SELECT 1 FROM hookline.endpoints WHERE id = $1 FOR UPDATE', [ep.id]);
    let settled = false;
    const deleting = hl.call('DELETE', `/v1/apps/${app}/endpoints/${ep.id}`).finally(() => (settled = true));
    const waitingOnRow = async () =>
      (
        await adminQuery(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
          [new URL(hl.db).pathname.slice(1)],
        )
      ).rows[0].n > 0;
    await waitFor(async () => settled || (await waitingOnRow()), 'the delete to wait for the row');
    assert.equal((await hl.send(app, { eventType: 'a.b', payload: {} })).status, 202, "the app's ingest goes on");
    await platform.query('COMMIT');
    assert.equal((await deleting).status, 204, 'the delete went through once the row was free');
    assert.equal((await hl.call('GET', `/v1/apps/${app}/endpoints/${ep.id}`)).status, 404);
  });

  it('raises an error naming the problem for an unknown app or invalid input', async () => {
    const failure = async (args: string) => {
      try {
        await platform.query(`SELECT hookline.send_message(${args})`);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    assert.match(await failure(`'nope', 'order.paid', '{}'`), /no app 'nope'/);
    assert.match(await failure(`'shop', 'order paid', '{}'`), /event_type must match/);
    assert.match(await failure(`'shop', 'order.paid', '[1, 2]'`), /payload must be a JSON object, got array/);
    assert.match(await failure(`'shop', 'order.paid', NULL`), /payload must be a JSON object/);
    assert.match(await failure(`'shop', 'order.paid', '{}', ''`), /event_id must be 1 to 256 characters/);
  });

  it('refuses unregistered and archived event types when the API runs with --strict-event-types', async () => {
    const strict = await TestHookline.start({ strictEventTypes: true }, {}, postgresBackend);
    const client = await connect(strict.db);
    try {
      const shop = await strict.app('strict shop', 'strict-shop');
      const send = async (type: string) => {
        try {
          const { rows } = await client.query(`SELECT hookline.send_message('strict-shop', $1, '{}') AS id`, [type]);
          return rows[0].id as string;
        } catch (error) {
          return (error as Error).message;
        }
      };
      assert.match(await send('order.paid'), /event type 'order.paid' is not registered; hookline runs with --strict-event-types/);
      assert.equal((await strict.call('POST', '/v1/event-types', { name: 'order.paid' })).status, 201);
      assert.match(await send('order.paid'), /^msg_/);
      assert.equal((await strict.call('DELETE', '/v1/event-types/order.paid')).status, 204);
      assert.match(await send('order.paid'), /event type 'order.paid' is archived/);
      const listed = await strict.call('GET', `/v1/apps/${shop}/messages`);
      assert.equal(listed.body.data.length, 1, 'only the registered type was stored');

      // The shared server (not strict) still takes any type: each database follows its own API processes.
      const open = await platform.query(`SELECT hookline.send_message('shop', 'never.registered', '{}') AS id`);
      assert.match(open.rows[0].id as string, /^msg_/);
    } finally {
      await client.end();
      await strict.stop();
    }
  });

  it('runs as SECURITY DEFINER: a role granted only EXECUTE can enqueue without reading hookline tables', async () => {
    await platform.query(`CREATE ROLE ${role} NOLOGIN`);
    await platform.query(`GRANT EXECUTE ON FUNCTION hookline.send_message(text, text, jsonb, text) TO ${role}`);
    await platform.query('BEGIN');
    await platform.query(`SET LOCAL ROLE ${role}`);
    const id = (await platform.query(`SELECT hookline.send_message('shop', 'order.paid', '{"n": 5}') AS id`))
      .rows[0].id as string;
    await platform.query('SAVEPOINT peek');
    await assert.rejects(platform.query('SELECT * FROM hookline.messages'), /permission denied/);
    await platform.query('ROLLBACK TO peek');
    await platform.query('COMMIT');
    await waitFor(() => delivered(id).length === 1, 'the delivery');
  });

  it("sendMessage from @hookline/sdk enqueues in the caller's transaction", async () => {
    await platform.query('BEGIN');
    await platform.query(`UPDATE orders SET paid = false WHERE id = 'o_1'`);
    const dropped = await sendMessage(platform, { app: 'shop', eventType: 'order.refunded', payload: { n: 6 } });
    await platform.query('ROLLBACK');
    await platform.query('BEGIN');
    const kept = await sendMessage(platform, {
      app: appId,
      eventType: 'order.refunded',
      payload: { orderId: 'o_1', note: 'quote " and \\ backslash' },
      eventId: 'refund-1',
    });
    await platform.query('COMMIT');
    assert.equal(
      await sendMessage(platform, { app: 'shop', eventType: 'order.refunded', payload: {}, eventId: 'refund-1' }),
      kept,
    );
    const [request] = await waitFor(() => (delivered(kept).length ? delivered(kept) : null), 'the delivery');
    assert.deepEqual(JSON.parse(request!.body).data, { orderId: 'o_1', note: 'quote " and \\ backslash' });
    assert.equal((await hl.call('GET', `/v1/apps/${appId}/messages/${dropped}`)).status, 404);
    assert.equal(delivered(dropped).length, 0);
    await assert.rejects(sendMessage(platform, { app: 'nope', eventType: 'a', payload: {} }), /no app 'nope'/);
  });
});
