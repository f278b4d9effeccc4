/** Numbered, forward-only migrations; each runs once, in a transaction, recorded in schema_migrations. */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'core tables',
    sql: `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  uid TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX apps_page ON apps (created_at, id);

CREATE TABLE endpoints (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  event_types TEXT NOT NULL DEFAULT '[]',
  disabled INTEGER NOT NULL DEFAULT 0,
  rate_limit INTEGER,
  headers TEXT NOT NULL DEFAULT '{}',
  secrets TEXT NOT NULL,
  failing_since INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX endpoints_app_page ON endpoints (app_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_id TEXT,
  payload TEXT NOT NULL,
  timestamp INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_app_page ON messages (app_id, timestamp, id);

-- next_attempt_at: when the delivery is due; while leased, the lease expiry; NULL while its endpoint is disabled.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  locked_by TEXT,
  locked_until INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_message ON deliveries (message_id);
CREATE INDEX deliveries_endpoint_pending ON deliveries (endpoint_id) WHERE status = 'pending';

CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  attempt_number INTEGER NOT NULL,
  status TEXT NOT NULL,
  response_status_code INTEGER,
  response_body TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX attempts_message_page ON attempts (message_id, created_at, id);

-- Counters per (app, minute of delivery creation): Count, Success rate and Delay without scanning history.
CREATE TABLE delivery_stats (
  app_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, minute)
) WITHOUT ROWID;
CREATE TABLE delay_histogram (
  app_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (app_id, minute, bucket)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'management API: event types, app tokens, endpoint stats, message filters, resend, retention',
    // hookline_delay_bucket() is core/histogram's delayBucket, registered on the connection by the store.
    sql: `
ALTER TABLE deliveries ADD COLUMN schedule_start INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_app_type_page ON messages (app_id, event_type, timestamp, id);
CREATE INDEX deliveries_endpoint_failed ON deliveries (endpoint_id, created_at) WHERE status = 'failed';

CREATE TABLE event_types (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  schema TEXT,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX event_types_page ON event_types (created_at, id);

CREATE TABLE app_tokens (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE INDEX app_tokens_app_page ON app_tokens (app_id, created_at, id);

-- The same counters per endpoint (GET …/endpoints/{ep}/stats); the app-level tables stay for fast app totals.
CREATE TABLE endpoint_stats (
  app_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, endpoint_id, minute)
) WITHOUT ROWID;
CREATE TABLE endpoint_delay_histogram (
  app_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (app_id, endpoint_id, minute, bucket)
) WITHOUT ROWID;
INSERT INTO endpoint_stats (app_id, endpoint_id, minute, count, succeeded, failed)
SELECT app_id, endpoint_id, (created_at / 60000) * 60000, COUNT(*),
  SUM(status = 'succeeded'), SUM(status = 'failed')
FROM deliveries GROUP BY 1, 2, 3;
INSERT INTO endpoint_delay_histogram (app_id, endpoint_id, minute, bucket, n)
SELECT app_id, endpoint_id, (created_at / 60000) * 60000, hookline_delay_bucket(finished_at - created_at), COUNT(*)
FROM deliveries WHERE status = 'succeeded' GROUP BY 1, 2, 3, 4;

-- Retention drops counters by minute across apps.
CREATE INDEX delivery_stats_minute ON delivery_stats (minute);
CREATE INDEX delay_histogram_minute ON delay_histogram (minute);
CREATE INDEX endpoint_stats_minute ON endpoint_stats (minute);
CREATE INDEX endpoint_delay_histogram_minute ON endpoint_delay_histogram (minute);
`,
  },
  {
    version: 3,
    name: 'retention: parked deliveries by age',
    // Only parked rows (endpoint disabled) are in it, so the ingest path never writes to it.
    sql: `
CREATE INDEX deliveries_parked ON deliveries (created_at) WHERE status = 'pending' AND next_attempt_at IS NULL;
`,
  },
  {
    version: 4,
    name: 'resend of a delivery in flight',
    // Set when a resend arrives while an attempt is in flight: recording that attempt makes the delivery due
    // again at this time instead of finishing it. A claim clears it (that attempt is the resend).
    sql: `
ALTER TABLE deliveries ADD COLUMN resend_at INTEGER;
`,
  },
  {
    version: 5,
    name: 'retention: deleted endpoints by age',
    // Deleted endpoints are kept for the retention period (their deliveries' history), then removed.
    sql: `
CREATE INDEX endpoints_deleted ON endpoints (deleted_at) WHERE deleted_at IS NOT NULL;
`,
  },
  {
    version: 6,
    name: 'deliveries a resend added',
    // 1 on a delivery that a resend to one endpoint created (the message had not matched it): a resend to
    // every endpoint goes to those the message matched when it was created, so it skips these.
    sql: `
ALTER TABLE deliveries ADD COLUMN added_by_resend INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 7,
    name: 'deliveries a resend added before migration 6',
    // Migration 6 marked none of the existing rows. A delivery made with its message shares the message id's
    // time (characters 5–14 of a ULID-shaped id: both come from the same clock reading); one a resend added
    // was made later, so its id's time sorts after its message's (upgrade audit).
    sql: `
UPDATE deliveries SET added_by_resend = 1
WHERE added_by_resend = 0 AND substr(id, 5, 10) > substr(message_id, 5, 10);
`,
  },
];
