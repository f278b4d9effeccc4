import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanJson } from '../src/core/json-text.js';

/** Nesting depth of a JSON value as JSON.parse gives it: `{}` and `[]` are 1, a scalar 0. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('scanJson', () => {
  it('gives each top-level member exactly as JSON.stringify wrote it, however the text is indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.constantFrom(undefined, 1, 2, '\t', ' \r\n'), (a, payload, indent) => {
        const text = JSON.stringify({ a, payload, z: [a] }, null, indent as never);
        const scan = scanJson(text);
        assert.equal(scan.members.get('payload'), JSON.stringify(payload));
        assert.equal(scan.members.get('a'), JSON.stringify(a));
        assert.equal(scan.depth, depthOf(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps what a JavaScript value cannot hold, and reads escaped and repeated names as JSON.parse does', () => {
    const text =
      ' { "pay\\u006coad" : { "__proto__" : { "x" : 1 } , "big" : 12345678901234567890123 , "huge" : 1e400 ,' +
      ' "n" : 1.50 , "s" : "a \\" quoted \\\\\\" { [ , text \\\\" } , "eventType" : "a" , "eventType" : "b" } ';
    assert.equal(JSON.parse(text).payload.n, 1.5, 'the text is valid JSON');
    const scan = scanJson(text);
    assert.equal(
      scan.members.get('payload'),
      '{"__proto__":{"x":1},"big":12345678901234567890123,"huge":1e400,"n":1.50,"s":"a \\" quoted \\\\\\" { [ , text \\\\"}',
    );
    assert.equal(scan.members.get('eventType'), '"b"');
    assert.equal(scan.depth, 3);
    assert.equal(scan.deepestMember, 'payload');
  });

  it('counts depth for any top level and names the member holding the deepest part', () => {
    assert.deepEqual(scanJson('[[[]]]'), { depth: 3, deepestMember: null, members: new Map() });
    assert.equal(scanJson('"text"').depth, 0);
    const deep = `{"a":1,"payload":{"x":${'['.repeat(70)}${']'.repeat(70)}},"b":[]}`;
    assert.deepEqual([scanJson(deep).depth, scanJson(deep).deepestMember], [72, 'payload']);
  });
});
