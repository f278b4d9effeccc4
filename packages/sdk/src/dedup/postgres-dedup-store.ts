import { assertTtl, type ClaimResult, type DedupStore } from './dedup-store.js';

/**
 * The one method of a PostgreSQL client this store uses. `pg`'s `Pool` and `Client` fit as they are;
 * so does anything else with the same shape (a transaction-scoped client, a test double).
 */
export interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null }>;
}

/** Options of {@link PostgresDedupStore}. */
export interface PostgresDedupStoreOptions {
  /** Table name, optionally schema-qualified. Default `hookline_webhook_dedup`. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/** The SQL of the store, one statement per function, for a validated table name. */
export const dedupSql = {
  /** Creates the table: one row per webhook id, a lease or a completion, with its expiry. */
  createTable: (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('in_progress', 'done')),
  expires_at timestamptz NOT NULL
)`,
  /** Lets `purgeExpired` find old rows without a scan. */
  createExpiryIndex: (table: string) =>
    `CREATE INDEX IF NOT EXISTS ${table.split('.').pop()}_expires_at_idx ON ${table} (expires_at)`,
  /**
   * Claims $1 for $2 seconds unless a live row exists; answers 'new', 'duplicate' or 'in_progress'.
   * No row back means a concurrent claimer committed after this statement's snapshot: it is in progress.
   */
  claim: (table: string) => `WITH claimed AS (
  INSERT INTO ${table} AS d (id, state, expires_at)
  VALUES ($1, 'in_progress', now() + make_interval(secs => $2::double precision))
  ON CONFLICT (id) DO UPDATE SET state = 'in_progress', expires_at = EXCLUDED.expires_at
    WHERE d.expires_at <= now()
  RETURNING 1
)
SELECT 'new' AS result FROM claimed
UNION ALL
SELECT CASE state WHEN 'done' THEN 'duplicate' ELSE 'in_progress' END
  FROM ${table} WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
  /** Marks $1 done for $2 seconds (an upsert, so it holds even if the lease already expired). */
  complete: (table: string) => `INSERT INTO ${table} (id, state, expires_at)
VALUES ($1, 'done', now() + make_interval(secs => $2::double precision))
ON CONFLICT (id) DO UPDATE SET state = 'done', expires_at = EXCLUDED.expires_at`,
  /** Drops the unfinished claim on $1; a completed id stays. */
  release: (table: string) => `DELETE FROM ${table} WHERE id = $1 AND state = 'in_progress'`,
  /** Deletes up to $1 expired rows. */
  purgeExpired: (table: string) =>
    `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= now() LIMIT $1)`,
  /** Drops the table (tests, uninstall). */
  dropTable: (table: string) => `DROP TABLE IF EXISTS ${table}`,
} as const;

/**
 * A {@link DedupStore} in PostgreSQL, shared by every process of the receiver. Works with `pg`:
 * `new PostgresDedupStore(new pg.Pool({ connectionString }))`. Call `ensureTable()` once at start
 * (or run `dedupSql.createTable` and `dedupSql.createExpiryIndex` in your migrations) and `purgeExpired()` now and then.
 */
export class PostgresDedupStore implements DedupStore {
  readonly table: string;

  constructor(
    private readonly db: PgQueryable,
    options: PostgresDedupStoreOptions = {},
  ) {
    const table = options.table ?? 'hookline_webhook_dedup';
    // The name is spliced into SQL, so it must be a plain (lower-case) identifier.
    if (!IDENTIFIER.test(table)) throw new TypeError(`invalid table name ${JSON.stringify(table)}`);
    this.table = table;
  }

  /** Creates the table and its index if they do not exist. */
  async ensureTable(): Promise<void> {
    await this.db.query(dedupSql.createTable(this.table));
    await this.db.query(dedupSql.createExpiryIndex(this.table));
  }

  async claim(id: string, ttlSeconds: number): Promise<ClaimResult> {
    assertTtl(ttlSeconds);
    const { rows } = await this.db.query(dedupSql.claim(this.table), [id, ttlSeconds]);
    const row = rows[0] as { result?: ClaimResult } | undefined;
    return row?.result ?? 'in_progress';
  }

  async complete(id: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    await this.db.query(dedupSql.complete(this.table), [id, ttlSeconds]);
  }

  async release(id: string): Promise<void> {
    await this.db.query(dedupSql.release(this.table), [id]);
  }

  /** Deletes up to `limit` expired rows and says how many went; call it from a timer or cron. */
  async purgeExpired(limit = 1000): Promise<number> {
    const result = await this.db.query(dedupSql.purgeExpired(this.table), [limit]);
    return result.rowCount ?? 0;
  }
}
