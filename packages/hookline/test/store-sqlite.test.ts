import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { openStoreThread } from '../src/store/sqlite/store-thread.js';
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

// What `hookline serve` runs: the same store on a thread of its own, every call crossing the thread.
describe('SQLite store conformance, on its store thread', () => {
  storeConformance(async () => {
    const store = await openStoreThread(join(dir, `thread-${n++}.db`));
    await store.migrate();
    return store;
  });
});
