import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { storeConformance } from './helpers/store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('SQLite store conformance', () => {
  storeConformance(async () => {
    const store = new SqliteStore(join(dir, `store-${n++}.db`));
    await store.migrate();
    return store;
  });
});
