import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { decideOutcome } from '../src/dispatch/decide.js';
import { Dispatcher, type DispatcherOptions } from '../src/dispatch/dispatcher.js';
import type { DeliverySender, SendResult } from '../src/dispatch/sender.js';
import type { DeliveryStore, RecordResult } from '../src/store/port.js';
import type { AttemptOutcome, ClaimedDelivery } from '../src/store/types.js';
import { waitFor } from './helpers/wait.js';

/** A queue in memory with the store port's claim semantics: due deliveries go out once, to one worker. */
class QueueStore {
  readonly capabilities = { multiProcess: false, listenNotify: false };
  /** `blocked`: pending but not claimable (its endpoint is disabled), as a real store keeps such rows. */
  readonly waiting: { delivery: ClaimedDelivery; dueAt: number; blocked?: boolean }[] = [];
  readonly claimedAt = new Map<string, number>();

  async claimDueDeliveries(_worker: string, now: number, room: number): Promise<ClaimedDelivery[]> {
    const due = this.waiting.filter((w) => w.dueAt <= now && !w.blocked).slice(0, room);
    for (const w of due) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      this.claimedAt.set(w.delivery.deliveryId, Date.now());
    }
    return due.map((w) => w.delivery);
  }

  async nextDueAt(after: number): Promise<number | null> {
    const later = this.waiting.filter((w) => w.dueAt > after);
    return later.length === 0 ? null : Math.min(...later.map((w) => w.dueAt));
  }

  async recordAttempts(_worker: string, outcomes: AttemptOutcome[]): Promise<RecordResult> {
    return { applied: outcomes.map((o) => o.deliveryId), leaseLost: [], disabledEndpoints: [], givenUp: [], resent: [] };
  }

  /** When each extension was asked for (the dispatcher's clock) and until when. */
  readonly extended: Array<{ at: number; until: number }> = [];

  async extendLeases(_worker: string, _ids: string[], until: number): Promise<void> {
    this.extended.push({ at: Date.now(), until });
  }
  async releaseLeases(_worker?: string, _ids?: string[]): Promise<void> {}
}

const delivered: DeliverySender = {
  async send(): Promise<SendResult> {
    return { statusCode: 200, responseBody: '', retryAfter: null, error: null, sentAt: Date.now(), durationMs: 0 };
  },
  async close() {},
};

function delivery(id: string): ClaimedDelivery {
  return {
    deliveryId: id,
    messageId: `msg_${id}`,
    appId: 'app_1',
    endpointId: `ep_${id}`,
    url: 'http://example.test/hook',
    headers: {},
    secrets: [],
    eventType: 'a.b',
    timestamp: Date.now(),
    payload: '{}',
    attemptsMade: 1,
    scheduleStart: 0,
    rateLimit: null,
  };
}

function options(): DispatcherOptions {
  return {
    workerId: 'w1',
    leaseMs: 30_000,
    maxInFlight: 100,
    claimBatch: 10,
    pollMs: 60_000, // far beyond the tests: no poll may rescue a retry the dispatcher forgot
    requestTimeoutMs: 1000,
    clock: Date.now,
    schedule: [1000],
    autoDisableAfterMs: 86_400_000,
    random: () => 0.5,
    newAttemptId: () => 'atmpt_1',
  };
}

/** A sender whose attempts never end, counting them. */
function hangingSender() {
  const sent: string[] = [];
  const sender: DeliverySender = {
    send: (delivery) => {
      sent.push(delivery.deliveryId);
      return new Promise<SendResult>(() => undefined);
    },
    async close() {},
  };
  return { sender, sent };
}

describe('dispatcher', () => {
  it('does not send a delivery twice at once when it claims its own delivery again (its lease ran out)', async () => {
    const store = new QueueStore();
    const { sender, sent } = hangingSender();
    const dispatcher = new Dispatcher(store as unknown as DeliveryStore, sender, options(), pino({ level: 'silent' }), {
      attemptSent() {},
      outcomesRecorded() {},
    });
    const again = delivery('d1');
    store.waiting.push({ delivery: again, dueAt: 0 });
    dispatcher.start();
    try {
      await waitFor(() => sent.length === 1, 'the first attempt');
      store.waiting.push({ delivery: again, dueAt: 0 }); // the lease expired: claimable again
      dispatcher.wake();
      await waitFor(() => store.waiting.length === 0, 'the claim');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(sent, ['d1']);
    } finally {
      await dispatcher.stop(10);
    }
  });

  it('extends a running attempt\'s lease every third of it, the shortest lease (1 s) included', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const store = new QueueStore();
    const { sender, sent } = hangingSender();
    const dispatcher = new Dispatcher(
      store as unknown as DeliveryStore,
      sender,
      { ...options(), leaseMs: 1_000 },
      pino({ level: 'silent' }),
      { attemptSent() {}, outcomesRecorded() {} },
    );
    store.waiting.push({ delivery: delivery('d1'), dueAt: 0 });
    dispatcher.start();
    try {
      await waitFor(() => sent.length === 1, 'the attempt');
      // A 1 s lease extended only every 1 s ran out under the attempt: another worker sent it again (audit).
      t.mock.timers.tick(334);
      assert.equal(store.extended.length, 1, 'extended a third of the way into the lease');
      t.mock.timers.tick(333);
      assert.equal(store.extended.length, 2);
    } finally {
      t.mock.timers.reset();
      await dispatcher.stop(10);
    }
  });

  it('sends every retry when it is due, not just the earliest one it knew of', async () => {
    const store = new QueueStore();
    const dispatcher = new Dispatcher(store as unknown as DeliveryStore, delivered, options(), pino({ level: 'silent' }), {
      attemptSent() {},
      outcomesRecorded() {},
    });
    // Four retries due a little apart (jitter spreads a message's retries to several endpoints so), and an
    // older one that cannot be claimed (its endpoint is disabled): it must not hide the others.
    const now = Date.now();
    store.waiting.push({ delivery: delivery('blocked'), dueAt: now - 1_000, blocked: true });
    const dueAt = new Map(['d1', 'd2', 'd3', 'd4'].map((id, i) => [id, now + 40 + 30 * i]));
    for (const [id, at] of dueAt) store.waiting.push({ delivery: delivery(id), dueAt: at });
    dispatcher.start();
    try {
      await waitFor(() => store.claimedAt.size === 4, 'all four retries claimed', 5_000);
      for (const [id, at] of dueAt) assert.ok(store.claimedAt.get(id)! >= at, `${id} claimed before it was due`);
    } finally {
      await dispatcher.stop(1000);
    }
  });

  /** Deliveries to one endpoint limited to 2/s (a second's worth, two, may go at once), answered `answer`. */
  function rateLimitedEndpoint(answer: number) {
    const store = new (class extends QueueStore {
      readonly released: string[] = [];
      override async releaseLeases(_worker?: string, ids: string[] = []): Promise<void> {
        this.released.push(...ids);
      }
    })();
    const sent: string[] = [];
    const sender: DeliverySender = {
      async send(d): Promise<SendResult> {
        sent.push(d.deliveryId);
        return { statusCode: answer, responseBody: '', retryAfter: null, error: null, sentAt: Date.now(), durationMs: 0 };
      },
      async close() {},
    };
    const dispatcher = new Dispatcher(store as unknown as DeliveryStore, sender, options(), pino({ level: 'silent' }), {
      attemptSent() {},
      outcomesRecorded() {},
    });
    const limited = (...ids: string[]) =>
      ids.map((id) => ({ ...delivery(id), endpointId: 'ep_limited', rateLimit: 2 }));
    return { store, sent, dispatcher, limited };
  }

  it('410 Gone: what waits for the endpoint (its rate limit) goes back to the store, never out', async () => {
    const { store, sent, dispatcher, limited } = rateLimitedEndpoint(410);
    dispatcher.start();
    try {
      // r1 takes the first token; r2 waits for the next turn, r3–r6 go back (beyond a second's worth).
      dispatcher.accept(limited('r1', 'r2', 'r3', 'r4', 'r5', 'r6'));
      await waitFor(() => store.released.length === 5, 'the five waiting deliveries given back');
      assert.deepEqual(store.released.sort(), ['r2', 'r3', 'r4', 'r5', 'r6']);
    } finally {
      await dispatcher.stop(10);
    }
    assert.deepEqual(sent, ['r1']);
  });

  it('an endpoint changed or disabled elsewhere (PATCH, another process): what waits for it goes back to the store', async () => {
    const { store, sent, dispatcher, limited } = rateLimitedEndpoint(200);
    dispatcher.start();
    try {
      dispatcher.accept(limited('r1', 'r2'));
      await waitFor(() => sent.length === 2, 'a second\'s worth sent');
      dispatcher.accept(limited('r3', 'r4')); // no token left: they wait here, the next one in ½ s
      dispatcher.endpointChanged('ep_limited');
      await waitFor(() => store.released.length === 2, 'the two waiting deliveries given back');
      assert.deepEqual(store.released.sort(), ['r3', 'r4']);
      // Another endpoint of the app, 1/s: a1 takes its token, a2 waits here a second for the next one.
      const other = (id: string) => ({ ...delivery(id), endpointId: 'ep_other', rateLimit: 1 });
      dispatcher.accept([other('a1')]);
      await waitFor(() => sent.length === 3, 'a1 sent');
      dispatcher.accept([other('a2')]);
      dispatcher.endpointChanged('app_1'); // the app was deleted, with all its endpoints
      await waitFor(() => store.released.length === 3, 'a2, waiting here, given back');
      assert.equal(store.released.at(-1), 'a2');
    } finally {
      await dispatcher.stop(10);
    }
    assert.deepEqual(sent, ['r1', 'r2', 'a1']);
  });

  /**
   * `dark` deliveries, each to an endpoint of its own app that never answers, then `healthy` ones to an
   * endpoint that answers at once, all due now; the process has room for 8; the clock moves only when told.
   */
  function manyDarkTenants(dark: number, healthy: number) {
    const store = new QueueStore();
    const clock = { now: 1_000_000 };
    const sent: string[] = [];
    const sender: DeliverySender = {
      send(d) {
        sent.push(d.deliveryId);
        if (d.endpointId !== 'ep_healthy') return new Promise<SendResult>(() => undefined);
        return Promise.resolve({ statusCode: 200, responseBody: '', retryAfter: null, error: null, sentAt: clock.now, durationMs: 0 });
      },
      async close() {},
    };
    for (let i = 0; i < dark; i++) {
      store.waiting.push({ delivery: { ...delivery(`dark${i}`), appId: `app_dark${i}` }, dueAt: 0 });
    }
    for (let i = 0; i < healthy; i++) {
      store.waiting.push({ delivery: { ...delivery(`ok${i}`), appId: 'app_ok', endpointId: 'ep_healthy' }, dueAt: 0 });
    }
    const dispatcher = new Dispatcher(
      store as unknown as DeliveryStore,
      sender,
      { ...options(), maxInFlight: 8, clock: () => clock.now },
      pino({ level: 'silent' }),
      { attemptSent() {}, outcomesRecorded() {} },
    );
    return { store, clock, sent, dispatcher };
  }

  // Without a rate limit the dark tenants' attempts start at once; with one they first wait for a token, so
  // they start after the room ran out (and the room must be looked at again when they stall).
  for (const rateLimit of [null, 5]) {
    it(`attempts that hang for a second stop holding room: many dark tenants do not hold up a healthy one (rate limit ${rateLimit})`, async () => {
      const { store, clock, sent, dispatcher } = manyDarkTenants(8, 3);
      for (const w of store.waiting) if (w.delivery.endpointId !== 'ep_healthy') w.delivery = { ...w.delivery, rateLimit };
      dispatcher.start();
      try {
        await waitFor(() => sent.length === 8, 'the eight dark attempts, filling the room');
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(sent.filter((id) => id.startsWith('ok')).length, 0, 'no room yet');
        // A second on: those attempts are stalled, their room frees (no attempt ended, nothing else woke it).
        clock.now += 1_000;
        await waitFor(() => sent.filter((id) => id.startsWith('ok')).length === 3, 'the healthy tenant delivered');
      } finally {
        await dispatcher.stop(10);
      }
    });
  }

  it('holds at most twice its room, stalled attempts included', async () => {
    const { store, clock, sent, dispatcher } = manyDarkTenants(30, 0);
    dispatcher.start();
    try {
      await waitFor(() => sent.length === 8, 'the first eight');
      clock.now += 1_000;
      await waitFor(() => sent.length === 16, 'eight more once the first stalled');
      clock.now += 1_000;
      dispatcher.wake();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(sent.length, 16, 'no more than twice the room');
      assert.equal(store.waiting.length, 14);
    } finally {
      await dispatcher.stop(10);
    }
  });
});

describe('auto-disable threshold', () => {
  it('counts the whole schedule as jitter can shorten it, so a delivery failing every time disables its endpoint', () => {
    const schedule = [1_000, 2_000, 3_000];
    const first = 100_000; // the first attempt failed then: the endpoint is failing since
    const claimed = {
      deliveryId: 'dlv_1', messageId: 'msg_1', appId: 'app_1', endpointId: 'ep_1', url: 'http://example.test/',
      headers: {}, secrets: [], eventType: 'a', timestamp: first, payload: '{}', attemptsMade: 3, scheduleStart: 0,
      rateLimit: null,
    };
    // Every retry came at the shortest jitter (−20 %): the last attempt ends 4.8 s after the first.
    const sentAt = first + 0.8 * (1_000 + 2_000 + 3_000);
    const result = { statusCode: 500, responseBody: '', retryAfter: null, error: null, sentAt, durationMs: 0 };
    const outcome = decideOutcome(claimed, result, {
      schedule,
      autoDisableAfterMs: 1_000,
      random: () => 0,
      newAttemptId: () => 'atmpt_1',
    });
    assert.equal(outcome.next.kind, 'failed', 'the schedule is exhausted');
    assert.ok(first <= outcome.disableIfFailingSince!, `failing since ${first}, cutoff ${outcome.disableIfFailingSince}`);
  });
});
