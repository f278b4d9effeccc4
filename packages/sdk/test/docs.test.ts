import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CLIENT_ROUTES, Hookline, RECEIVER_ERROR_STATUS, VERIFICATION_ERROR_CODES } from '../src/index.js';

const docsUrl = new URL('../../../../docs/receiving.md', import.meta.url);
const clientDocsUrl = new URL('../../../../docs/sdk-client.md', import.meta.url);

/** Rows of the first markdown table after `heading`: the cells of each row. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(heading);
  assert.ok(start >= 0, `the doc has no "${heading}"`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const code = (cell: string | undefined) => cell?.replace(/`/g, '') ?? '';

test('docs/receiving.md documents exactly the verification error codes', async () => {
  const markdown = await readFile(docsUrl, 'utf8');
  const documented = tableAfter(markdown, '`WebhookVerificationError.code`').map((row) => code(row[0]));
  assert.deepEqual(documented.sort(), Object.keys(VERIFICATION_ERROR_CODES).sort());
});

test('docs/receiving.md documents exactly the receiver error codes, with their statuses', async () => {
  const markdown = await readFile(docsUrl, 'utf8');
  const documented = Object.fromEntries(
    tableAfter(markdown, 'Other answers of the router and adapters').map((row) => [
      code(row[0]),
      Number(row[1]),
    ]),
  );
  assert.deepEqual(documented, { ...RECEIVER_ERROR_STATUS });
});

test('docs/sdk-client.md lists every route of the client with a method that exists', async () => {
  const rows = tableAfter(await readFile(clientDocsUrl, 'utf8'), '## Methods');
  assert.deepEqual(rows.map((row) => code(row[1])).sort(), [...CLIENT_ROUTES].sort());
  const hookline = new Hookline({ baseUrl: 'http://127.0.0.1:1' }) as unknown as Record<string, unknown>;
  for (const [method] of rows) {
    const path = code(method).replace(/\(.*$/, '').split('.');
    const owner = path.length === 2 ? (hookline[path[0]!] as Record<string, unknown>) : hookline;
    assert.equal(typeof owner?.[path.at(-1)!], 'function', `${method} is not a client method`);
  }
});
