import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiDeps } from '../src/api/deps.js';
import { logStoreOutage } from '../src/api/error-answer.js';

/** A logger that keeps each line's message and fields. */
function recordingDeps() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (fields: unknown, msg?: string) =>
    lines.push(typeof fields === 'string' ? { level, msg: fields, fields: {} } : { level, msg: msg!, fields: fields as Record<string, unknown> });
  const deps = { logger: { error: at('error'), info: at('info'), warn: at('warn') }, clock: Date.now } as unknown as ApiDeps;
  return { deps, lines };
}

describe('the store outage log of the API', () => {
  it('counts every 503 once: a line opens a 10 s window, its end counts the rest, then says it stopped', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { deps, lines } = recordingDeps();
    const fail = () => logStoreOutage(deps, new Error('connection refused'), '/v1/apps/a/messages');
    for (let i = 0; i < 5; i++) fail();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!.msg, /^store unavailable: answering 503/);
    t.mock.timers.tick(10_000);
    assert.deepEqual(lines[1]!.fields, { answered503: 4 });
    fail();
    fail();
    t.mock.timers.tick(10_000);
    assert.deepEqual(lines[2]!.fields, { answered503: 2 });
    t.mock.timers.tick(10_000); // a window without 503s: the outage is over as far as requests go
    assert.equal(lines[3]!.level, 'info');
    assert.match(lines[3]!.msg, /no request has failed/);
    fail(); // a new outage opens with a full line again
    assert.match(lines[4]!.msg, /^store unavailable: answering 503/);
    assert.equal(lines.length, 5);
    t.mock.timers.tick(10_000);
  });
});
