import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES } from '../src/api/errors.js';

it('docs/errors.md lists exactly the error codes the API has, with their statuses', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
  const actual = new Map(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status as number]));
  assert.deepEqual([...documented.keys()].sort(), [...actual.keys()].sort());
  for (const [code, status] of actual) assert.equal(documented.get(code), status, code);
});
