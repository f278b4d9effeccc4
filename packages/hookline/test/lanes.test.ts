import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointLanes } from '../src/dispatch/lanes.js';
import type { SendResult } from '../src/dispatch/sender.js';
import type { ClaimedDelivery } from '../src/store/types.js';

const answered: SendResult = { statusCode: 200, responseBody: '', retryAfter: null, error: null, sentAt: 0, durationMs: 1 };
const noAnswer: SendResult = { ...answered, statusCode: null, error: 'timeout' };

function delivery(n: number, endpointId = 'ep_slow', appId = 'app_1'): ClaimedDelivery {
  return {
    deliveryId: `dlv_${endpointId}_${n}`,
    messageId: `msg_${n}`,
    appId,
    endpointId,
    url: 'http://example.test/hook',
    headers: {},
    secrets: [],
    eventType: 'a.b',
    timestamp: 0,
    payload: '{}',
    attemptsMade: 0,
    scheduleStart: 0,
    rateLimit: null,
  };
}

function lanesOnAFakeClock(maxPerApp = 20) {
  let now = 0;
  const begun: ClaimedDelivery[] = [];
  const givenBack: Array<{ id: string; waitMs: number }> = [];
  const lanes = new EndpointLanes(
    { maxConcurrency: 8, minConcurrency: 2, slowMs: 1000, longestAttemptMs: 15_000, maxPerApp, clock: () => now },
    { begin: (d) => begun.push(d), giveBack: (d, waitMs) => givenBack.push({ id: d.deliveryId, waitMs }) },
  );
  return { lanes, begun, givenBack, advance: (ms: number) => (now += ms) };
}

describe('endpoint lanes (isolation of slow endpoints)', () => {
  it('lets a healthy endpoint queue a burst behind its limit, and starts the next as each ends', () => {
    const { lanes, begun, givenBack } = lanesOnAFakeClock(100);
    for (let i = 0; i < 50; i++) lanes.submit(delivery(i, 'ep_fast'));
    assert.equal(begun.length, 8);
    assert.equal(givenBack.length, 0);
    lanes.finished(begun[0]!, answered);
    assert.equal(begun.length, 9);
    assert.equal(begun[8]!.deliveryId, 'dlv_ep_fast_8', 'first in, first out');
    lanes.stop();
  });

  it('gives back what waits beyond the limit once the oldest attempt has run slowMs', () => {
    const { lanes, begun, givenBack, advance } = lanesOnAFakeClock();
    for (let i = 0; i < 30; i++) lanes.submit(delivery(i));
    assert.deepEqual([begun.length, givenBack.length], [8, 0]);
    advance(1000); // nothing has come back for a second: slow
    lanes.submit(delivery(30));
    assert.equal(givenBack.length, 1, 'a full line of a slow endpoint takes no more');
    // A timeout halves the limit; the line is cut to it and the rest goes back, later turns further out.
    lanes.finished(begun[0]!, noAnswer);
    assert.equal(begun.length, 8, 'no new attempt: 7 still run against a limit of 4');
    assert.equal(lanes.takeWaiting().length, 4);
    assert.equal(givenBack.length, 1 + 18);
    const cut = givenBack.slice(1).map((g) => g.waitMs); // in line order, so later ones come due later
    assert.deepEqual(cut, [...cut].sort((a, b) => a - b));
    // Rounds of 1 s (the attempts have run that long), and none would have gone in the first round.
    assert.ok(Math.min(...givenBack.map((g) => g.waitMs)) >= 2000, JSON.stringify(givenBack));
    assert.ok(givenBack.every((g) => g.waitMs % 1000 === 0));
    lanes.stop();
  });

  it('cuts a timing-out endpoint down to minConcurrency and grows it back by one per answer', () => {
    const { lanes, begun, advance } = lanesOnAFakeClock();
    for (let i = 0; i < 8; i++) lanes.submit(delivery(i));
    advance(15_000); // the request timeout
    for (let i = 0; i < 8; i++) lanes.finished(begun[i]!, noAnswer); // 8 → 4 → 2 → 2 …
    for (let i = 8; i < 20; i++) lanes.submit(delivery(i));
    assert.equal(begun.length - 8, 2, 'two at once after the timeouts');
    lanes.finished(begun[8]!, answered); // limit 3: two more start (one replaces it, one grows)
    assert.equal(begun.length - 8, 4);
    lanes.stop();
  });

  it('does not cut an endpoint whose host refuses at once: its backlog goes at the full limit, paced by retries', () => {
    // A receiver that is down (connection refused within a millisecond) holds nothing. Cut, it would give its
    // backlog back for up to a minute, which then trickled out long after the receiver was up (audit: a
    // backlog of 1,500 after a restart took 60 s to go out on a 1 s retry schedule).
    const { lanes, begun, givenBack, advance } = lanesOnAFakeClock(1_000);
    const refused: SendResult = { ...answered, statusCode: null, error: 'connect ECONNREFUSED 127.0.0.1:9' };
    for (let i = 0; i < 40; i++) lanes.submit(delivery(i));
    for (let round = 0; round < 5; round++) {
      advance(1);
      for (const d of begun.slice(round * 8, round * 8 + 8)) lanes.finished(d, refused);
    }
    assert.equal(begun.length, 40, 'every delivery attempted, eight at a time');
    assert.equal(givenBack.length, 0);
    lanes.stop();
  });

  it('cuts an endpoint that times out under a request timeout shorter than slowMs, and a quick failure changes nothing', () => {
    let now = 0;
    const begun: ClaimedDelivery[] = [];
    const lanes = new EndpointLanes(
      { maxConcurrency: 8, minConcurrency: 2, slowMs: 1000, longestAttemptMs: 500, maxPerApp: 20, clock: () => now },
      { begin: (d) => begun.push(d), giveBack: () => undefined },
    );
    for (let i = 0; i < 8; i++) lanes.submit(delivery(i));
    now += 500; // every attempt times out at --request-timeout 500ms
    for (let i = 0; i < 4; i++) lanes.finished(begun[i]!, noAnswer); // 8 → 4 → 2 → 2 → 2
    for (let i = 8; i < 20; i++) lanes.submit(delivery(i));
    assert.equal(begun.length, 8, 'four still run against a limit of 2: none starts');
    // A quick refusal neither cuts nor grows the limit: one ends, one starts in its place… none here (4 > 2).
    lanes.finished(begun[4]!, { ...noAnswer, error: 'connect ECONNREFUSED' });
    lanes.finished(begun[5]!, { ...noAnswer, error: 'connect ECONNREFUSED' });
    assert.equal(begun.length, 8, 'two still run: the limit is still 2');
    lanes.finished(begun[6]!, answered); // a response: limit 3, one running → two start
    assert.equal(begun.length, 10);
    lanes.stop();
  });

  it("spaces what it gives back by how long the endpoint's attempts take, up to the request timeout", () => {
    const { lanes, begun, givenBack, advance } = lanesOnAFakeClock();
    for (let i = 0; i < 8; i++) lanes.submit(delivery(i));
    advance(3000); // a slow receiver: 3 s an answer
    lanes.finished(begun[0]!, answered);
    for (let i = 8; i < 40; i++) lanes.submit(delivery(i));
    const waits = givenBack.map((g) => g.waitMs);
    assert.ok(waits.length > 0 && waits.every((w) => w % 3000 === 0 && w < 15 * 3000), waits.join());
    advance(60_000); // hung since: a round is the request timeout at most
    lanes.submit(delivery(40));
    assert.ok(givenBack.at(-1)!.waitMs % 15_000 === 0, String(givenBack.at(-1)!.waitMs));
    lanes.stop();
  });

  it('holds one app to maxPerApp attempts and as many waiting, over all its endpoints', () => {
    const { lanes, begun, givenBack } = lanesOnAFakeClock();
    // A tenant with five endpoints that never answer: 5 × 8 could start, the app may have 20.
    for (let e = 0; e < 5; e++) for (let i = 0; i < 10; i++) lanes.submit(delivery(i, `ep_${e}`, 'app_greedy'));
    assert.equal(begun.length, 20);
    assert.equal(givenBack.length, 50 - 20 - 20, 'twenty wait, the rest go back');
    lanes.submit(delivery(0, 'ep_other', 'app_other'));
    assert.equal(begun.at(-1)!.appId, 'app_other', 'another app starts at once');
    // One of the greedy app's attempts ends: one of its waiting deliveries takes the place.
    lanes.finished(begun[0]!, answered);
    assert.equal(begun.at(-1)!.appId, 'app_greedy');
    assert.equal(begun.filter((d) => d.appId === 'app_greedy').length, 21);
    assert.equal(lanes.takeWaiting().length, 19);
    lanes.stop();
  });

  it("caps an app's line at twice its share even while its endpoint answers in time", () => {
    const { lanes, begun, givenBack } = lanesOnAFakeClock();
    for (let i = 0; i < 100; i++) lanes.submit(delivery(i, 'ep_busy')); // 8 at once: far from the app's 20
    assert.equal(begun.length, 8);
    assert.equal(givenBack.length, 100 - 8 - 40, 'forty wait (twice the share), the rest go back');
    lanes.stop();
  });

  it("spreads what an app's share gives back: later ones come due later, not all again at once", () => {
    const { lanes, givenBack } = lanesOnAFakeClock();
    for (let e = 0; e < 5; e++) for (let i = 0; i < 100; i++) lanes.submit(delivery(i, `ep_${e}`, 'app_greedy'));
    const waits = givenBack.map((g) => g.waitMs);
    // The first endpoint's line filled to twice the share before the app reached its 20 attempts.
    assert.equal(waits.length, 500 - 20 - 40);
    assert.deepEqual(waits, [...waits].sort((a, b) => a - b), 'in the order given back');
    // 440 given back at 20 a round of 1 s: the last comes due after the rounds of all those before it.
    assert.ok(waits[0]! <= 5_000 && waits.at(-1)! >= 22_000, `${waits[0]} … ${waits.at(-1)} ms`);
    lanes.stop();
  });

  it('keeps endpoints apart: one endpoint that hangs does not hold back another', () => {
    const { lanes, begun, advance } = lanesOnAFakeClock();
    for (let i = 0; i < 20; i++) lanes.submit(delivery(i, 'ep_hung'));
    advance(5000);
    lanes.submit(delivery(0, 'ep_ok'));
    assert.equal(begun.at(-1)!.endpointId, 'ep_ok');
    lanes.stop();
  });
});
