import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, skipWithoutPg } from './postgres.js';

/** A backend end-to-end tests run against: each server gets a fresh database of its own. */
export interface TestBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** `describe`'s skip option: false when this backend can run here. */
  skip: string | false;
  /** A fresh database: the `--db` value, and how to remove it afterwards. */
  database(): Promise<{ db: string; drop(): Promise<void> }>;
}

export const sqliteBackend: TestBackend = {
  name: 'SQLite',
  skip: false,
  async database() {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-test-'));
    return { db: join(dir, 'hookline.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgresBackend: TestBackend = {
  name: 'PostgreSQL',
  skip: skipWithoutPg,
  async database() {
    const database = await createTestDatabase('hookline_e2e');
    return { db: database.url, drop: database.drop };
  },
};
