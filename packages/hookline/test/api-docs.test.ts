import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderApiDocs } from '../src/api/api-docs.js';
import { currentOpenApi } from '../src/cli/gen-docs.js';

it('docs/api.md and docs/openapi.json match the schemas (run `npm run docs` after changing them)', () => {
  const doc = currentOpenApi();
  const root = new URL('../../../../docs/', import.meta.url);
  assert.equal(readFileSync(new URL('openapi.json', root), 'utf8'), `${JSON.stringify(doc, null, 2)}\n`);
  assert.equal(readFileSync(new URL('api.md', root), 'utf8'), renderApiDocs(doc as never));
});
