/**
 * Numbered, forward-only migrations of the `hookline` schema. All pending ones run in ONE transaction
 * that first takes MIGRATION_LOCK, so processes starting together apply each migration exactly once.
 */
import { APP_LOCK_CLASS, EVENT_LOCK_CLASS } from './statements.js';

export const MIGRATION_LOCK = 7_215_202_611;

/** Created before the lock's owner reads which migrations are applied. */
export const MIGRATIONS_TABLE = `
CREATE SCHEMA IF NOT EXISTS hookline;
CREATE TABLE IF NOT EXISTS hookline.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * What the API processes last said of `--strict-event-types` (runtime/server.ts writes it at start): with
 * 'true', send_message refuses an event type that is not registered or is archived, as the API does.
 */
export const STRICT_EVENT_TYPES_SETTING = 'strict_event_types';

const STRICT_EVENT_TYPES_CHECK = `
  IF EXISTS (SELECT 1 FROM hookline.settings s WHERE s.key = '${STRICT_EVENT_TYPES_SETTING}' AND s.value = 'true') THEN
    DECLARE
      v_archived boolean;
    BEGIN
      SELECT t.archived INTO v_archived FROM hookline.event_types t WHERE t.name = send_message.event_type;
      IF v_archived IS DISTINCT FROM false THEN
        RAISE EXCEPTION 'hookline.send_message: event type % %; hookline runs with --strict-event-types',
          quote_literal(send_message.event_type),
          CASE WHEN v_archived THEN 'is archived' ELSE 'is not registered' END
          USING ERRCODE = '22023';
      END IF;
    END;
  END IF;
`;

/**
 * send_message takes its app's lock shared (APP_LOCK_CLASS in statements.ts), held to the end of the caller's
 * transaction, and looks the app up again once it has it: a delete that got there first has committed.
 */
const APP_LOCK = `
  PERFORM pg_advisory_xact_lock_shared(${APP_LOCK_CLASS}, hashtext(v_app_id));
  PERFORM 1 FROM hookline.apps a WHERE a.id = v_app_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'hookline.send_message: no app %', quote_literal(send_message.app) USING ERRCODE = 'P0002';
  END IF;
`;

/**
 * send_message also holds its (app, eventId)'s lock (EVENT_LOCK_CLASS) to the end of the caller's transaction,
 * taken before it looks for the eventId: an API ingest of the same eventId tries that lock and waits
 * outside its unit (enqueue-batch.ts) instead of on the unique index, where every write of its process
 * would wait behind the platform's transaction.
 */
const EVENT_LOCK = `
  IF send_message.event_id IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, hashtext(v_app_id || ':' || send_message.event_id));
  END IF;
`;

export const POSTGRES_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'core tables',
    sql: `
CREATE TABLE hookline.settings (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE hookline.apps (
  id text PRIMARY KEY,
  name text NOT NULL,
  uid text UNIQUE,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX apps_page ON hookline.apps (created_at, id);

CREATE TABLE hookline.endpoints (
  id text PRIMARY KEY,
  app_id text NOT NULL,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  event_types text[] NOT NULL DEFAULT '{}',
  disabled boolean NOT NULL DEFAULT false,
  rate_limit integer,
  headers jsonb NOT NULL DEFAULT '{}',
  secrets jsonb NOT NULL,
  failing_since bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  deleted_at bigint
);
CREATE INDEX endpoints_app_page ON hookline.endpoints (app_id, created_at, id) WHERE deleted_at IS NULL;

-- payload is JSON text, kept byte for byte as it is sent inside the envelope.
CREATE TABLE hookline.messages (
  id text PRIMARY KEY,
  app_id text NOT NULL,
  event_type text NOT NULL,
  event_id text,
  payload text NOT NULL,
  timestamp bigint NOT NULL
);
CREATE UNIQUE INDEX messages_event_id ON hookline.messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_app_page ON hookline.messages (app_id, timestamp, id);

-- next_attempt_at: when the delivery is due; while leased, the lease expiry; NULL while its endpoint is disabled.
CREATE TABLE hookline.deliveries (
  id text PRIMARY KEY,
  app_id text NOT NULL,
  message_id text NOT NULL,
  endpoint_id text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,
  locked_by text,
  locked_until bigint,
  created_at bigint NOT NULL,
  finished_at bigint
);
-- Equal due times are claimed in id order (ids sort by message time): a recover goes out in message order.
CREATE INDEX deliveries_due ON hookline.deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_message ON hookline.deliveries (message_id);
CREATE INDEX deliveries_endpoint_pending ON hookline.deliveries (endpoint_id) WHERE status = 'pending';

CREATE TABLE hookline.attempts (
  id text PRIMARY KEY,
  app_id text NOT NULL,
  message_id text NOT NULL,
  endpoint_id text NOT NULL,
  delivery_id text NOT NULL,
  attempt_number integer NOT NULL,
  status text NOT NULL,
  response_status_code integer,
  response_body text NOT NULL,
  duration_ms integer NOT NULL,
  error text,
  created_at bigint NOT NULL
);
CREATE INDEX attempts_message_page ON hookline.attempts (message_id, created_at, id);

-- Counters per (app, minute of delivery creation): Count, Success rate and Delay without scanning history.
CREATE TABLE hookline.delivery_stats (
  app_id text NOT NULL,
  minute bigint NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  succeeded bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, minute)
);
CREATE TABLE hookline.delay_histogram (
  app_id text NOT NULL,
  minute bigint NOT NULL,
  bucket integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (app_id, minute, bucket)
);

-- Writers only ever INSERT deltas here (no row locks shared between processes or with a platform's
-- open transaction calling send_message); one process at a time folds them into the tables above.
CREATE TABLE hookline.delivery_stats_delta (
  app_id text NOT NULL,
  minute bigint NOT NULL,
  count bigint NOT NULL,
  succeeded bigint NOT NULL,
  failed bigint NOT NULL
);
CREATE TABLE hookline.delay_histogram_delta (
  app_id text NOT NULL,
  minute bigint NOT NULL,
  bucket integer NOT NULL,
  n bigint NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'transactional enqueue: hookline.send_message',
    sql: `
-- A ULID-shaped id like core/ids.ts: 10 base32 characters of milliseconds, then 80 random bits.
CREATE FUNCTION hookline.new_id(prefix text, at_ms bigint) RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  uuid_bytes bytea := uuid_send(gen_random_uuid());
  random_bytes bytea;
  t bigint := at_ms;
  result text := '';
  acc integer := 0;
  bits integer := 0;
BEGIN
  FOR i IN 1..10 LOOP
    result := substr(alphabet, (t % 32)::integer + 1, 1) || result;
    t := t / 32;
  END LOOP;
  -- Bytes 6 and 8 of a v4 UUID carry its version and variant; take the ten fully random ones.
  random_bytes := substring(uuid_bytes FROM 1 FOR 6) || substring(uuid_bytes FROM 11 FOR 4);
  FOR i IN 0..9 LOOP
    acc := (acc << 8) | get_byte(random_bytes, i);
    bits := bits + 8;
    WHILE bits >= 5 LOOP
      bits := bits - 5;
      result := result || substr(alphabet, ((acc >> bits) & 31) + 1, 1);
    END LOOP;
    acc := acc & ((1 << bits) - 1);
  END LOOP;
  RETURN prefix || '_' || result;
END
$fn$;

-- The transactional outbox without an outbox: a platform calls this inside its own transaction, and
-- the message (with one delivery per matching enabled endpoint) exists if and only if that commits.
CREATE FUNCTION hookline.send_message(app text, event_type text, payload jsonb, event_id text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_now constant bigint := floor(extract(epoch FROM now()) * 1000)::bigint;
  v_app_id text;
  v_message_id text;
  v_deliveries integer;
BEGIN
  IF send_message.app IS NULL OR length(send_message.app) = 0 OR length(send_message.app) > 256 THEN
    RAISE EXCEPTION 'hookline.send_message: app must be an app id or uid' USING ERRCODE = '22023';
  END IF;
  -- PostgreSQL caps regex repetition counts at 255, so the length is checked on its own.
  IF send_message.event_type IS NULL OR send_message.event_type !~ '^[a-zA-Z0-9_.-]+$'
     OR length(send_message.event_type) > 256 THEN
    RAISE EXCEPTION 'hookline.send_message: event_type must match ^[a-zA-Z0-9_.-]{1,256}$, got %',
      coalesce(quote_literal(send_message.event_type), 'NULL') USING ERRCODE = '22023';
  END IF;
  IF send_message.payload IS NULL OR jsonb_typeof(send_message.payload) <> 'object' THEN
    RAISE EXCEPTION 'hookline.send_message: payload must be a JSON object, got %',
      coalesce(jsonb_typeof(send_message.payload), 'NULL') USING ERRCODE = '22023';
  END IF;
  IF send_message.event_id IS NOT NULL
     AND (length(send_message.event_id) = 0 OR length(send_message.event_id) > 256) THEN
    RAISE EXCEPTION 'hookline.send_message: event_id must be 1 to 256 characters' USING ERRCODE = '22023';
  END IF;

  SELECT a.id INTO v_app_id FROM hookline.apps a
  WHERE a.id = send_message.app OR a.uid = send_message.app
  ORDER BY a.id = send_message.app DESC LIMIT 1;
  IF v_app_id IS NULL THEN
    RAISE EXCEPTION 'hookline.send_message: no app %', quote_literal(send_message.app) USING ERRCODE = 'P0002';
  END IF;

  IF send_message.event_id IS NOT NULL THEN
    SELECT m.id INTO v_message_id FROM hookline.messages m
    WHERE m.app_id = v_app_id AND m.event_id = send_message.event_id;
    IF v_message_id IS NOT NULL THEN
      RETURN v_message_id;
    END IF;
  END IF;

  v_message_id := hookline.new_id('msg', v_now);
  INSERT INTO hookline.messages (id, app_id, event_type, event_id, payload, timestamp)
  VALUES (v_message_id, v_app_id, send_message.event_type, send_message.event_id,
    send_message.payload::text, v_now)
  ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING;
  IF NOT FOUND THEN
    -- Another transaction committed the same event_id while this one waited on it.
    SELECT m.id INTO v_message_id FROM hookline.messages m
    WHERE m.app_id = v_app_id AND m.event_id = send_message.event_id;
    RETURN v_message_id;
  END IF;

  INSERT INTO hookline.deliveries (id, app_id, message_id, endpoint_id, status, next_attempt_at, created_at)
  SELECT hookline.new_id('dlv', v_now), v_app_id, v_message_id, e.id, 'pending', v_now, v_now
  FROM hookline.endpoints e
  WHERE e.app_id = v_app_id AND NOT e.disabled AND e.deleted_at IS NULL
    AND (cardinality(e.event_types) = 0 OR send_message.event_type = ANY (e.event_types));
  GET DIAGNOSTICS v_deliveries = ROW_COUNT;

  IF v_deliveries > 0 THEN
    INSERT INTO hookline.delivery_stats_delta (app_id, minute, count, succeeded, failed)
    VALUES (v_app_id, (v_now / 60000) * 60000, v_deliveries, 0, 0);
    -- Delivered to listening workers at COMMIT, and never if the caller rolls back.
    PERFORM pg_notify('hookline_new_work', '');
  END IF;
  RETURN v_message_id;
END
$fn$;

REVOKE ALL ON FUNCTION hookline.new_id(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION hookline.send_message(text, text, jsonb, text) FROM PUBLIC;
`,
  },
  {
    version: 3,
    name: 'management API: event types, app tokens, endpoint stats, message filters, resend, retention',
    sql: `
ALTER TABLE hookline.deliveries ADD COLUMN schedule_start integer NOT NULL DEFAULT 0;
CREATE INDEX messages_app_type_page ON hookline.messages (app_id, event_type, timestamp, id);
CREATE INDEX deliveries_endpoint_failed ON hookline.deliveries (endpoint_id, created_at) WHERE status = 'failed';

-- schema is JSON text, returned exactly as it was registered.
CREATE TABLE hookline.event_types (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  schema text,
  archived boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX event_types_page ON hookline.event_types (created_at, id);

CREATE TABLE hookline.app_tokens (
  id text PRIMARY KEY,
  app_id text NOT NULL,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at bigint NOT NULL
);
CREATE INDEX app_tokens_app_page ON hookline.app_tokens (app_id, created_at, id);

-- The same counters per endpoint (GET …/endpoints/{ep}/stats); the app-level tables stay for fast app totals.
CREATE TABLE hookline.endpoint_stats (
  app_id text NOT NULL,
  endpoint_id text NOT NULL,
  minute bigint NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  succeeded bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, endpoint_id, minute)
);
CREATE TABLE hookline.endpoint_delay_histogram (
  app_id text NOT NULL,
  endpoint_id text NOT NULL,
  minute bigint NOT NULL,
  bucket integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (app_id, endpoint_id, minute, bucket)
);
-- A delta with an endpoint_id belongs to that endpoint's counters; NULL to the app's.
ALTER TABLE hookline.delivery_stats_delta ADD COLUMN endpoint_id text;
ALTER TABLE hookline.delay_histogram_delta ADD COLUMN endpoint_id text;
INSERT INTO hookline.endpoint_stats (app_id, endpoint_id, minute, count, succeeded, failed)
SELECT app_id, endpoint_id, (created_at / 60000) * 60000, COUNT(*),
  COUNT(*) FILTER (WHERE status = 'succeeded'), COUNT(*) FILTER (WHERE status = 'failed')
FROM hookline.deliveries GROUP BY 1, 2, 3;
-- core/histogram.ts's delayBucket: ceil(log2(ms) * 8) above 1 ms, else 0.
INSERT INTO hookline.endpoint_delay_histogram (app_id, endpoint_id, minute, bucket, n)
SELECT app_id, endpoint_id, (created_at / 60000) * 60000,
  CASE WHEN finished_at - created_at > 1 THEN ceil(log(2, (finished_at - created_at)::numeric) * 8)::integer ELSE 0 END,
  COUNT(*)
FROM hookline.deliveries WHERE status = 'succeeded' GROUP BY 1, 2, 3, 4;

-- Retention drops counters by minute across apps.
CREATE INDEX delivery_stats_minute ON hookline.delivery_stats (minute);
CREATE INDEX delay_histogram_minute ON hookline.delay_histogram (minute);
CREATE INDEX endpoint_stats_minute ON hookline.endpoint_stats (minute);
CREATE INDEX endpoint_delay_histogram_minute ON hookline.endpoint_delay_histogram (minute);

${sendMessageFunction('')}`,
  },
  {
    version: 4,
    name: 'rate limits shared by every process',
    sql: `
-- One token bucket per rate-limited endpoint (its rateLimit per second, bursts of one second's worth),
-- so that every process delivering to it draws on the same tokens. "at" is the database's clock (ms).
CREATE TABLE hookline.endpoint_rate (
  endpoint_id text PRIMARY KEY REFERENCES hookline.endpoints (id) ON DELETE CASCADE,
  tokens double precision NOT NULL,
  at bigint NOT NULL,
  granted integer NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'resend of a delivery in flight',
    sql: `
-- Set when a resend arrives while an attempt is in flight: recording that attempt makes the delivery due
-- again at this time instead of finishing it. A claim clears it (that attempt is the resend).
ALTER TABLE hookline.deliveries ADD COLUMN resend_at bigint;
`,
  },
  {
    version: 6,
    name: 'API rate limits shared by every process',
    sql: `
-- One token bucket per app over --api-rate-limit (requests per second, bursts of one second's worth), so
-- that every API process draws on the same tokens. "at" is the database's clock (ms).
CREATE TABLE hookline.app_rate (
  app_id text PRIMARY KEY REFERENCES hookline.apps (id) ON DELETE CASCADE,
  tokens double precision NOT NULL,
  at bigint NOT NULL,
  granted integer NOT NULL
);
`,
  },
  {
    version: 7,
    name: 'send_message honours --strict-event-types',
    sql: sendMessageFunction(STRICT_EVENT_TYPES_CHECK),
  },
  {
    version: 8,
    name: "send_message holds its app's lock, so deleting an endpoint or the app waits for it",
    sql: sendMessageFunction(STRICT_EVENT_TYPES_CHECK, APP_LOCK),
  },
  {
    version: 9,
    name: 'retention: deleted endpoints by age',
    // Deleted endpoints are kept for the retention period (their deliveries' history), then removed.
    sql: `
CREATE INDEX endpoints_deleted ON hookline.endpoints (deleted_at) WHERE deleted_at IS NOT NULL;
`,
  },
  {
    version: 10,
    name: 'granting EXECUTE on send_message is enough',
    // CONTRACT.md: "grant EXECUTE to the platform's role". Calling a function needs USAGE on its schema too;
    // USAGE gives names only: every table's and function's own rights stay revoked from PUBLIC.
    sql: `
GRANT USAGE ON SCHEMA hookline TO PUBLIC;
`,
  },
  {
    version: 11,
    name: "send_message holds its eventId's lock, so an API ingest of that eventId waits outside the write path",
    sql: sendMessageFunction(STRICT_EVENT_TYPES_CHECK, APP_LOCK + EVENT_LOCK),
  },
  {
    version: 12,
    name: 'deliveries a resend added',
    // True on a delivery that a resend to one endpoint created (the message had not matched it): a resend to
    // every endpoint goes to those the message matched when it was created, so it skips these.
    sql: `
ALTER TABLE hookline.deliveries ADD COLUMN added_by_resend boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 13,
    name: 'deliveries a resend added before migration 12',
    // Migration 12 marked none of the existing rows. A delivery made with its message (the API's ingest,
    // send_message) shares the message id's time (characters 5–14 of a ULID-shaped id, one clock reading);
    // one a resend added was made later, so its id's time sorts after its message's (upgrade audit).
    sql: `
UPDATE hookline.deliveries SET added_by_resend = true
WHERE NOT added_by_resend AND substr(id, 5, 10) COLLATE "C" > substr(message_id, 5, 10) COLLATE "C";
`,
  },
];

/**
 * hookline.send_message as migration 3 made it (strictCheck '') and as migration 7 remade it: the text
 * of an applied migration never changes what it did, so both versions come from this one definition.
 */
function sendMessageFunction(strictCheck: string, appLock = ''): string {
  return `
-- send_message counts each delivery on its endpoint's counters too.
CREATE OR REPLACE FUNCTION hookline.send_message(app text, event_type text, payload jsonb, event_id text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_now constant bigint := floor(extract(epoch FROM now()) * 1000)::bigint;
  v_minute constant bigint := (floor(extract(epoch FROM now()) * 1000)::bigint / 60000) * 60000;
  v_app_id text;
  v_message_id text;
  v_deliveries integer;
BEGIN
  IF send_message.app IS NULL OR length(send_message.app) = 0 OR length(send_message.app) > 256 THEN
    RAISE EXCEPTION 'hookline.send_message: app must be an app id or uid' USING ERRCODE = '22023';
  END IF;
  -- PostgreSQL caps regex repetition counts at 255, so the length is checked on its own.
  IF send_message.event_type IS NULL OR send_message.event_type !~ '^[a-zA-Z0-9_.-]+$'
     OR length(send_message.event_type) > 256 THEN
    RAISE EXCEPTION 'hookline.send_message: event_type must match ^[a-zA-Z0-9_.-]{1,256}$, got %',
      coalesce(quote_literal(send_message.event_type), 'NULL') USING ERRCODE = '22023';
  END IF;
  IF send_message.payload IS NULL OR jsonb_typeof(send_message.payload) <> 'object' THEN
    RAISE EXCEPTION 'hookline.send_message: payload must be a JSON object, got %',
      coalesce(jsonb_typeof(send_message.payload), 'NULL') USING ERRCODE = '22023';
  END IF;
  IF send_message.event_id IS NOT NULL
     AND (length(send_message.event_id) = 0 OR length(send_message.event_id) > 256) THEN
    RAISE EXCEPTION 'hookline.send_message: event_id must be 1 to 256 characters' USING ERRCODE = '22023';
  END IF;
${strictCheck}
  SELECT a.id INTO v_app_id FROM hookline.apps a
  WHERE a.id = send_message.app OR a.uid = send_message.app
  ORDER BY a.id = send_message.app DESC LIMIT 1;
  IF v_app_id IS NULL THEN
    RAISE EXCEPTION 'hookline.send_message: no app %', quote_literal(send_message.app) USING ERRCODE = 'P0002';
  END IF;
${appLock}
  IF send_message.event_id IS NOT NULL THEN
    SELECT m.id INTO v_message_id FROM hookline.messages m
    WHERE m.app_id = v_app_id AND m.event_id = send_message.event_id;
    IF v_message_id IS NOT NULL THEN
      RETURN v_message_id;
    END IF;
  END IF;

  v_message_id := hookline.new_id('msg', v_now);
  INSERT INTO hookline.messages (id, app_id, event_type, event_id, payload, timestamp)
  VALUES (v_message_id, v_app_id, send_message.event_type, send_message.event_id,
    send_message.payload::text, v_now)
  ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING;
  IF NOT FOUND THEN
    -- Another transaction committed the same event_id while this one waited on it.
    SELECT m.id INTO v_message_id FROM hookline.messages m
    WHERE m.app_id = v_app_id AND m.event_id = send_message.event_id;
    RETURN v_message_id;
  END IF;

  -- Stats are insert-only deltas: no row lock is held for the rest of the caller's transaction.
  WITH created AS (
    INSERT INTO hookline.deliveries (id, app_id, message_id, endpoint_id, status, next_attempt_at, created_at)
    SELECT hookline.new_id('dlv', v_now), v_app_id, v_message_id, e.id, 'pending', v_now, v_now
    FROM hookline.endpoints e
    WHERE e.app_id = v_app_id AND NOT e.disabled AND e.deleted_at IS NULL
      AND (cardinality(e.event_types) = 0 OR send_message.event_type = ANY (e.event_types))
    RETURNING endpoint_id
  ), counted AS (
    INSERT INTO hookline.delivery_stats_delta (app_id, endpoint_id, minute, count, succeeded, failed)
    SELECT v_app_id, endpoint_id, v_minute, 1, 0, 0 FROM created
  )
  SELECT COUNT(*) INTO v_deliveries FROM created;

  IF v_deliveries > 0 THEN
    INSERT INTO hookline.delivery_stats_delta (app_id, endpoint_id, minute, count, succeeded, failed)
    VALUES (v_app_id, NULL, v_minute, v_deliveries, 0, 0);
    -- Delivered to listening workers at COMMIT, and never if the caller rolls back.
    PERFORM pg_notify('hookline_new_work', '');
  END IF;
  RETURN v_message_id;
END
$fn$;
REVOKE ALL ON FUNCTION hookline.send_message(text, text, jsonb, text) FROM PUBLIC;
`;
}
