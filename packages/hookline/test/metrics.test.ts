import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsObserver } from '../src/observe/metrics.js';
import type { AttemptOutcome } from '../src/store/types.js';

function outcome(id: string, next: AttemptOutcome['next'], status: 'succeeded' | 'failed'): AttemptOutcome {
  return {
    deliveryId: id,
    appId: 'app_1',
    messageId: `msg_${id}`,
    endpointId: 'ep_1',
    messageTimestamp: 1_000,
    attempt: {
      id: `atmpt_${id}`,
      messageId: `msg_${id}`,
      endpointId: 'ep_1',
      attemptNumber: 1,
      status,
      responseStatusCode: status === 'succeeded' ? 200 : 500,
      responseBody: '',
      durationMs: 3,
      error: null,
      createdAt: 1_250,
    },
    next,
    disableEndpoint: false,
    disableIfFailingSince: null,
  };
}

describe('metrics: finished deliveries', () => {
  it('counts a delivery once, when it finishes as /v1/stats does: not parked ones, not resent ones', () => {
    const finished: Array<[boolean, number]> = [];
    const observer = metricsObserver({ attempt() {}, finished: (ok, delay) => finished.push([ok, delay]) });
    observer.outcomesRecorded(
      [
        outcome('ok', { kind: 'succeeded' }, 'succeeded'),
        outcome('gone', { kind: 'failed' }, 'failed'), // 410: this one is given up…
        outcome('parked', { kind: 'retry', at: 9_000 }, 'failed'), // …its endpoint's others wait, pending
        outcome('resent', { kind: 'succeeded' }, 'succeeded'), // a resend during the attempt: goes again
        outcome('trigger', { kind: 'retry', at: 9_000 }, 'failed'), // it auto-disabled its endpoint: given up
        outcome('lost', { kind: 'succeeded' }, 'succeeded'), // lease lost: not applied
      ],
      {
        applied: ['ok', 'gone', 'parked', 'resent', 'trigger'],
        leaseLost: ['lost'],
        disabledEndpoints: ['ep_1'],
        givenUp: ['trigger'],
        resent: ['resent'],
      },
    );
    assert.deepEqual(finished, [
      [true, 250],
      [false, 0],
      [false, 0],
    ]);
  });
});
