import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import * as manage from '../src/store/sqlite/statements-manage.js';
import * as retention from '../src/store/sqlite/statements-retention.js';
import * as core from '../src/store/sqlite/statements.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-plans-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The statements lists and background jobs run at any table size: each must reach its rows through an index
// (a SEARCH), never walk a whole big table (a SCAN) or sort it (a TEMP B-TREE). Only apps, a small table,
// may be scanned (retention probes messages app by app).
const GUARDED: Record<string, string> = {
  PAGE_APPS: core.PAGE_APPS,
  PAGE_ENDPOINTS: core.PAGE_ENDPOINTS,
  PAGE_ATTEMPTS: core.PAGE_ATTEMPTS,
  PAGE_MESSAGES: manage.PAGE_MESSAGES,
  PAGE_MESSAGES_OF_TYPE: manage.PAGE_MESSAGES_OF_TYPE,
  PAGE_EVENT_TYPES: manage.PAGE_EVENT_TYPES,
  PAGE_APP_TOKENS: manage.PAGE_APP_TOKENS,
  FIND_APP_TOKEN_BY_HASH: manage.FIND_APP_TOKEN_BY_HASH,
  DELIVERIES_TO_RESEND: manage.DELIVERIES_TO_RESEND,
  RECOVER_FAILED: manage.RECOVER_FAILED,
  STATS_EDGE: core.STATS_EDGE,
  PARK_STRAYS: retention.PARK_STRAYS,
  EXPIRE_OLD_PENDING: retention.EXPIRE_OLD_PENDING,
  EXPIRED_MESSAGES: retention.EXPIRED_MESSAGES,
  DELETE_OLD_ENDPOINTS: retention.DELETE_OLD_ENDPOINTS,
  ...Object.fromEntries(retention.DELETE_MESSAGES_ROWS.map((text, i) => [`DELETE_MESSAGES_ROWS.${i}`, text])),
  ...Object.fromEntries(retention.DELETE_OLD_STATS.map((text, i) => [`DELETE_OLD_STATS.${i}`, text])),
};

// Where a usable-looking index is the wrong one (a SEARCH that still filters a whole app), name the right one.
const EXPECTED_INDEX: Record<string, string> = {
  PAGE_MESSAGES_OF_TYPE: 'messages_app_type_page',
  EXPIRE_OLD_PENDING: 'deliveries_parked',
  PARK_STRAYS: 'deliveries_due',
  DELETE_OLD_ENDPOINTS: 'endpoints_deleted',
  RECOVER_FAILED: 'deliveries_endpoint_failed',
  STATS_EDGE: 'messages_app_page',
};

it('reaches rows of the management and retention statements through indexes only', async () => {
  const file = join(dir, 'plans.db');
  const store = new SqliteStore(file);
  await store.migrate();
  await store.close();
  const db = new Database(file, { readonly: true });
  try {
    for (const [name, text] of Object.entries(GUARDED)) {
      const names = [...new Set([...text.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
      const params = names.length
        ? [Object.fromEntries(names.map((n) => [n, 0]))]
        : Array.from(text.matchAll(/\?/g), () => '[]');
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>).map(
        (row) => row.detail,
      );
      for (const step of plan) {
        assert.doesNotMatch(step, /^SCAN (?!a\b|apps\b|json_each)/, `${name}: ${plan.join(' | ')}`);
        assert.doesNotMatch(step, /TEMP B-TREE/, `${name}: ${plan.join(' | ')}`);
      }
      const index = EXPECTED_INDEX[name];
      if (index) assert.ok(plan.some((step) => step.includes(index)), `${name}: ${plan.join(' | ')}`);
    }
  } finally {
    db.close();
  }
});
