import { after, describe } from 'node:test';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { createTestDatabase, skipWithoutPg, type TestDatabase } from './helpers/postgres.js';
import { storeConformance } from './helpers/store-conformance.js';

// Each conformance test gets a fresh database (the schema name is fixed: hookline.send_message).
const databases: TestDatabase[] = [];
after(async () => {
  for (const db of databases) await db.drop();
});

describe('PostgreSQL store conformance', { skip: skipWithoutPg }, () => {
  storeConformance(async () => {
    const db = await createTestDatabase('hookline_store');
    databases.push(db);
    const store = new PostgresStore(db.url, { poolSize: 4 });
    await store.migrate();
    return store;
  });
});
