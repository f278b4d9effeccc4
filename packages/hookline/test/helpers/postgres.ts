import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests. HOOKLINE_TEST_PG (a URL to an existing database, e.g. .../test) is the switch:
 * set, PostgreSQL tests must run (an unreachable server fails them, never skips them); unset, they skip.
 * Every test file (and every server a test starts) gets a database of its own and drops it.
 */
export const PG_URL = process.env.HOOKLINE_TEST_PG || null;

/** `describe`'s skip option for PostgreSQL suites. */
export const skipWithoutPg: string | false = PG_URL
  ? false
  : 'HOOKLINE_TEST_PG is not set (CI sets it; scripts/run-tests.js sets it when PostgreSQL answers on 5432)';

/** A URL for database `name` on the server of HOOKLINE_TEST_PG. */
export function urlFor(name: string, base: string = requirePg()): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

function requirePg(): string {
  if (!PG_URL) throw new Error('HOOKLINE_TEST_PG is not set');
  return PG_URL;
}

/** Run one statement on the HOOKLINE_TEST_PG database (admin work: create and drop databases, roles). */
export async function adminQuery(text: string, values: unknown[] = [], base: string = requirePg()) {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; `drop()` removes it (closing anyone still connected). */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'hookline_test', base: string = requirePg()): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`, [], base);
  let dropped = false;
  return {
    name,
    url: urlFor(name, base),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, [], base);
    },
  };
}

/** A pg client on `url`, connected; the caller ends it. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}
