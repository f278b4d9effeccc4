/**
 * PostgreSQL statements in named units (STYLE.md habit 3), parallel to sqlite/statements.ts. Parameters
 * are positional ($1…) and listed above each; batch statements take one array per column (`unnest`).
 */

/** The channel that announces deliveries due now to every listening worker. */
export const NEW_WORK_CHANNEL = 'hookline_new_work';
/** Only one process at a time folds stats deltas. */
export const FOLD_LOCK = 7_215_202_612;
/** Only one process at a time refreshes the planner's statistics. */
export const ANALYZE_LOCK = 7_215_202_613;
/** Only one process at a time VACUUMs (when the server's autovacuum is off). */
export const VACUUM_LOCK = 7_215_202_614;

/** Take the migration lock for this transaction. Params: lock key. */
export const MIGRATION_XACT_LOCK = `SELECT pg_advisory_xact_lock($1)`;
/** Applied migration versions. */
export const APPLIED_MIGRATIONS = `SELECT version FROM hookline.schema_migrations`;
/**
 * The sessions holding a lock on a table of the hookline schema, oldest transaction first (what a migration
 * waits for): pid, seconds open, state, whether it is an autovacuum worker, and deadlock_timeout in ms.
 */
export const HOOKLINE_LOCK_HOLDERS = `
SELECT DISTINCT a.pid, round(extract(epoch FROM now() - a.xact_start))::int AS seconds, a.state, a.xact_start,
  a.backend_type = 'autovacuum worker' AS autovacuum,
  (SELECT setting::int FROM pg_settings WHERE name = 'deadlock_timeout') AS deadlock_timeout_ms
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'hookline'
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND a.pid <> pg_backend_pid()
ORDER BY a.xact_start NULLS LAST`;
/** Record a migration. Params: version, name. */
export const RECORD_MIGRATION = `INSERT INTO hookline.schema_migrations (version, name) VALUES ($1, $2)`;
/** Announce work due now; delivered at COMMIT. */
export const NOTIFY_NEW_WORK = `SELECT pg_notify('${NEW_WORK_CHANNEL}', '')`;
/** Subscribe this connection to new-work announcements. */
export const LISTEN_NEW_WORK = `LISTEN ${NEW_WORK_CHANNEL}`;
/** The channel that tells every worker an endpoint was changed, disabled or deleted (payload: its id), or an app deleted (its id). */
export const ENDPOINT_CHANGED_CHANNEL = 'hookline_endpoint_changed';
/** Announce changed, disabled or deleted endpoints; delivered at COMMIT. Params: ids[]. */
export const NOTIFY_ENDPOINTS_CHANGED = `SELECT pg_notify('${ENDPOINT_CHANGED_CHANNEL}', id) FROM unnest($1::text[]) AS id`;
/** Subscribe this connection to changed-endpoint announcements. */
export const LISTEN_ENDPOINT_CHANGED = `LISTEN ${ENDPOINT_CHANGED_CHANNEL}`;
/**
 * Each app's advisory lock (two-int keys: this class and hashtext(app id); no table row is written).
 * Writes that create or reopen an app's deliveries (ingest, send_message, resend, recover) hold it shared;
 * deleting an endpoint or the app holds it exclusively. So a delete waits for those writes in flight and
 * sees their deliveries, and those after it see the endpoint or app gone: no delivery is left pending for
 * an endpoint nobody can deliver to.
 */
export const APP_LOCK_CLASS = 7215;
/** Params: app ids[] (taken in key order). */
export const LOCK_APPS_SHARED = `
SELECT pg_advisory_xact_lock_shared(${APP_LOCK_CLASS}, k)
FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS id) keys ORDER BY k`;
/** Params: app id. Waited for only in short windows (app-lock.ts). */
export const LOCK_APP_EXCLUSIVE = `SELECT pg_advisory_xact_lock(${APP_LOCK_CLASS}, hashtext($1))`;
/** Params: app id. */
export const TRY_LOCK_APP_EXCLUSIVE = `SELECT pg_try_advisory_xact_lock(${APP_LOCK_CLASS}, hashtext($1)) AS locked`;
/**
 * Each (app, eventId)'s advisory lock (this class and hashtext(app id || ':' || eventId)). send_message
 * holds it to the end of the caller's transaction; an ingest unit only tries it, so that a message whose
 * eventId an uncommitted transaction is enqueuing waits outside the unit (enqueue-batch.ts) instead of
 * holding every write of the process behind that transaction on the unique index.
 */
export const EVENT_LOCK_CLASS = 7216;
/** Params: app ids[], event ids[] (pairs). One row per pair, in order: whether its lock was free. */
export const TRY_LOCK_EVENTS = `
SELECT pg_try_advisory_xact_lock(${EVENT_LOCK_CLASS}, hashtext(a || ':' || e)) AS locked
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(a, e, n) ORDER BY n`;
/**
 * /healthz's probe: a one-row write that must commit, so that a database that answers reads but refuses
 * or holds writes (read-only, a synchronous standby gone) is reported. Params: now (ms).
 */
export const HEALTH_PROBE = `
INSERT INTO hookline.settings (key, value) VALUES ('health_probe', $1::text)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

/** Read one setting. Params: key. */
export const GET_SETTING = `SELECT value FROM hookline.settings WHERE key = $1`;
/** Write a setting unless present, and return what is stored. Params: key, value. */
export const PUT_SETTING_IF_ABSENT = `
WITH ins AS (
  INSERT INTO hookline.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value
)
SELECT value FROM ins UNION ALL SELECT value FROM hookline.settings WHERE key = $1 LIMIT 1`;

/** Write a setting. Params: key, value. */
export const PUT_SETTING = `
INSERT INTO hookline.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`;

/** Insert an app. Params: id, name, uid, created_at. */
export const INSERT_APP = `
INSERT INTO hookline.apps (id, name, uid, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING *`;
/** Apps by id or uid, for a batch of lookups. Params: refs[]. */
export const FIND_APPS = `SELECT * FROM hookline.apps WHERE id = ANY ($1::text[]) OR uid = ANY ($1::text[])`;
/** An app by id, locked for an update. Params: id. */
export const LOCK_APP = `SELECT * FROM hookline.apps WHERE id = $1 FOR UPDATE`;
/** A newest-first page of apps. Params: before_at, before_id, limit. */
export const PAGE_APPS = `
SELECT * FROM hookline.apps WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3`;
/** Update an app's name and uid. Params: id, name, uid, updated_at. */
export const UPDATE_APP = `UPDATE hookline.apps SET name = $2, uid = $3, updated_at = $4 WHERE id = $1 RETURNING *`;
/**
 * Remove an app and everything it owns. Attempts and deliveries are found through the app's messages
 * (indexes the hot path needs anyway), not through app_id indexes every ingest would maintain.
 * Param: app id (each statement).
 */
export const DELETE_APP_ROWS = [
  `DELETE FROM hookline.attempts WHERE message_id IN (SELECT id FROM hookline.messages WHERE app_id = $1)`,
  `DELETE FROM hookline.deliveries WHERE message_id IN (SELECT id FROM hookline.messages WHERE app_id = $1)`,
  `DELETE FROM hookline.messages WHERE app_id = $1`,
  `DELETE FROM hookline.endpoints WHERE app_id = $1`,
  `DELETE FROM hookline.delivery_stats WHERE app_id = $1`,
  `DELETE FROM hookline.delivery_stats_delta WHERE app_id = $1`,
  `DELETE FROM hookline.delay_histogram WHERE app_id = $1`,
  `DELETE FROM hookline.delay_histogram_delta WHERE app_id = $1`,
  `DELETE FROM hookline.endpoint_stats WHERE app_id = $1`,
  `DELETE FROM hookline.endpoint_delay_histogram WHERE app_id = $1`,
  `DELETE FROM hookline.app_tokens WHERE app_id = $1`,
];
/** Delete the app row itself. Params: id. */
export const DELETE_APP = `DELETE FROM hookline.apps WHERE id = $1`;

/** Insert an endpoint. Params: id, app_id, url, description, event_types, disabled, rate_limit, headers, secrets, created_at. */
export const INSERT_ENDPOINT = `
INSERT INTO hookline.endpoints (id, app_id, url, description, event_types, disabled, rate_limit, headers, secrets,
  created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *`;
/** One live endpoint of an app. Params: app_id, id. */
export const GET_ENDPOINT = `SELECT * FROM hookline.endpoints WHERE app_id = $1 AND id = $2 AND deleted_at IS NULL`;
/** The same, locked for an update. Params: app_id, id. */
export const LOCK_ENDPOINT = `${GET_ENDPOINT} FOR UPDATE`;
/** A newest-first page of an app's endpoints. Params: app_id, before_at, before_id, limit. */
export const PAGE_ENDPOINTS = `
SELECT * FROM hookline.endpoints WHERE app_id = $1 AND deleted_at IS NULL AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`;
/** Replace an endpoint's mutable fields. Params: id, url, description, event_types, disabled, rate_limit, headers, updated_at, failing_since. */
export const UPDATE_ENDPOINT = `
UPDATE hookline.endpoints SET url = $2, description = $3, event_types = $4, disabled = $5, rate_limit = $6,
  headers = $7, updated_at = $8, failing_since = $9
WHERE id = $1 AND deleted_at IS NULL RETURNING *`;
/** Soft-delete an endpoint. Params: now, app_id, id. */
export const DELETE_ENDPOINT = `
UPDATE hookline.endpoints SET deleted_at = $1 WHERE app_id = $2 AND id = $3 AND deleted_at IS NULL`;
/** Give up an endpoint's pending deliveries (deleted endpoint). Params: now, endpoint_id. */
export const FAIL_ENDPOINT_PENDING = `
UPDATE hookline.deliveries SET status = 'failed', finished_at = $1, next_attempt_at = NULL, locked_by = NULL,
  locked_until = NULL
WHERE endpoint_id = $2 AND status = 'pending' RETURNING app_id, created_at`;
/** Park the unleased pending deliveries of disabled endpoints. Params: endpoint_ids[]. */
export const PARK_ENDPOINTS_PENDING = `
UPDATE hookline.deliveries SET next_attempt_at = NULL
WHERE endpoint_id = ANY ($1::text[]) AND status = 'pending' AND locked_by IS NULL`;
/** Make a re-enabled endpoint's parked deliveries due. Params: now, endpoint_id. */
export const UNPARK_ENDPOINT_PENDING = `
UPDATE hookline.deliveries SET next_attempt_at = $1
WHERE endpoint_id = $2 AND status = 'pending' AND next_attempt_at IS NULL`;

/**
 * Insert a batch of messages (a known (app, eventId) is skipped) and, in the same round trip, read the
 * enabled endpoints of their apps. Rows are either ('message', id of a new message) or ('endpoint', …).
 * Params: message column arrays (id, app_id, event_type, event_id, payload, timestamp).
 */
export const INSERT_MESSAGES = `
WITH inserted AS (
  INSERT INTO hookline.messages (id, app_id, event_type, event_id, payload, timestamp)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
    AS m(id, app_id, event_type, event_id, payload, timestamp)
  WHERE EXISTS (SELECT 1 FROM hookline.apps a WHERE a.id = m.app_id)
  ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
  RETURNING id
)
SELECT 'message' AS kind, id, NULL AS app_id, NULL AS url, NULL::text[] AS event_types, NULL::jsonb AS headers,
  NULL::jsonb AS secrets, NULL::integer AS rate_limit
FROM inserted
UNION ALL
SELECT 'endpoint', id, app_id, url, event_types, headers, secrets, rate_limit FROM hookline.endpoints
WHERE app_id = ANY ($2::text[]) AND NOT disabled AND deleted_at IS NULL`;
/** The stored messages for (app, eventId) pairs. Params: app_ids[], event_ids[]. */
export const MESSAGES_BY_EVENT_IDS = `
SELECT m.* FROM hookline.messages m
JOIN unnest($1::text[], $2::text[]) AS k(app_id, event_id) ON m.app_id = k.app_id AND m.event_id = k.event_id`;
/** Insert a batch of deliveries (leased when locked_by is set). Params: column arrays. */
export const INSERT_DELIVERIES = `
INSERT INTO hookline.deliveries (id, app_id, message_id, endpoint_id, status, next_attempt_at, locked_by,
  locked_until, created_at)
SELECT id, app_id, message_id, endpoint_id, 'pending', next_attempt_at, locked_by, locked_until, created_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[])
  AS d(id, app_id, message_id, endpoint_id, next_attempt_at, locked_by, locked_until, created_at)`;
/** One message of an app. Params: app_id, id. */
export const GET_MESSAGE = `SELECT * FROM hookline.messages WHERE app_id = $1 AND id = $2`;

/**
 * Lease due deliveries of enabled endpoints, skipping rows other workers hold, and return everything
 * needed to send them. The lease expiry becomes next_attempt_at so leased rows leave the due range.
 * Params: worker_id, lease_until, now, limit.
 */
export const CLAIM_DUE = `
WITH claimed AS (
  UPDATE hookline.deliveries d SET locked_by = $1, locked_until = $2, next_attempt_at = $2, resend_at = NULL
  WHERE d.id IN (
    SELECT c.id FROM hookline.deliveries c JOIN hookline.endpoints e ON e.id = c.endpoint_id
    WHERE c.status = 'pending' AND c.next_attempt_at <= $3 AND NOT e.disabled AND e.deleted_at IS NULL
    ORDER BY c.next_attempt_at, c.id LIMIT $4
    FOR UPDATE OF c SKIP LOCKED
  )
  RETURNING d.id, d.message_id, d.app_id, d.endpoint_id, d.attempts, d.schedule_start
)
SELECT c.id AS delivery_id, c.message_id, c.app_id, c.endpoint_id, c.attempts, c.schedule_start, e.url, e.headers,
  e.secrets, e.rate_limit,
  m.event_type, m.timestamp, m.payload
FROM claimed c JOIN hookline.endpoints e ON e.id = c.endpoint_id JOIN hookline.messages m ON m.id = c.message_id
ORDER BY c.id`;

/**
 * Move endpoints' failure runs on after a batch of attempts: `reset` (a success in the batch) restarts
 * the run at `at` (the first failure after the last success, or NULL); otherwise a run starts at `at`
 * unless one is under way. Rows with nothing to change are not touched (no lock on the hot path).
 * Params: ids[], resets[], ats[]. Returns each touched endpoint's failing_since and disabled.
 */
export const UPDATE_ENDPOINT_FAILURES = `
UPDATE hookline.endpoints e
SET failing_since = CASE WHEN u.reset THEN u.at ELSE COALESCE(e.failing_since, u.at) END
FROM unnest($1::text[], $2::boolean[], $3::bigint[]) AS u(id, reset, at)
WHERE e.id = u.id AND (u.at IS NOT NULL OR e.failing_since IS NOT NULL)
RETURNING e.id, e.failing_since, e.disabled`;
/** Disable endpoints; returns those that were enabled. Params: now, ids[]. */
export const DISABLE_ENDPOINTS = `
UPDATE hookline.endpoints SET disabled = true, updated_at = $1
WHERE id = ANY ($2::text[]) AND NOT disabled RETURNING id`;

/**
 * Finish or reschedule deliveries fenced by the lease, and record the attempts of exactly those whose
 * lease held; endpoints in $18 (a batch without failures) end their failure runs in the same round trip.
 * A delivery asked to be resent while its attempt was in flight (resend_at) is due again at resend_at with a
 * fresh schedule instead, where $19 allows it; `resent` says so (schedule_start = attempts happens only
 * then: an attempt's number always exceeds the schedule_start it was claimed with).
 * Params: delivery ids[], statuses[], attempts[], next_attempt_ats[], finished_ats[], worker_id,
 * then the attempt columns: ids[], app_ids[], message_ids[], endpoint_ids[], attempt_numbers[], statuses[],
 * response_status_codes[], response_bodies[], duration_ms[], errors[], created_ats[], then endpoint ids[],
 * then honour-a-resend booleans[].
 */
export const FINISH_DELIVERIES = `
WITH recovered AS (
  UPDATE hookline.endpoints SET failing_since = NULL WHERE id = ANY ($18::text[]) AND failing_since IS NOT NULL
), done AS (
  UPDATE hookline.deliveries d SET
    status = CASE WHEN u.resend AND d.resend_at IS NOT NULL THEN 'pending' ELSE u.status END,
    attempts = u.attempts,
    next_attempt_at = CASE WHEN u.resend AND d.resend_at IS NOT NULL THEN d.resend_at ELSE u.next_attempt_at END,
    finished_at = CASE WHEN u.resend AND d.resend_at IS NOT NULL THEN NULL ELSE u.finished_at END,
    schedule_start = CASE WHEN u.resend AND d.resend_at IS NOT NULL THEN u.attempts ELSE d.schedule_start END,
    resend_at = NULL, locked_by = NULL, locked_until = NULL
  FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::bigint[], $19::boolean[])
    AS u(id, status, attempts, next_attempt_at, finished_at, resend)
  WHERE d.id = u.id AND d.locked_by = $6
  RETURNING d.id, d.created_at, d.schedule_start = d.attempts AS resent
), recorded AS (
  INSERT INTO hookline.attempts (id, app_id, message_id, endpoint_id, delivery_id, attempt_number, status,
    response_status_code, response_body, duration_ms, error, created_at)
  SELECT a.id, a.app_id, a.message_id, a.endpoint_id, a.delivery_id, a.attempt_number, a.status,
    a.response_status_code, a.response_body, a.duration_ms, a.error, a.created_at
  FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $1::text[], $11::integer[], $12::text[],
    $13::integer[], $14::text[], $15::integer[], $16::text[], $17::bigint[])
    AS a(id, app_id, message_id, endpoint_id, delivery_id, attempt_number, status, response_status_code,
      response_body, duration_ms, error, created_at)
  JOIN done ON done.id = a.delivery_id
)
SELECT id, created_at, resent FROM done`;

/** Tokens of a bucket ($2 per second, one second's worth at most) after the time since it was last used. */
const TOKENS_NOW = 'LEAST($2::float8, r.tokens + GREATEST(0, EXCLUDED.at - r.at) * $2::float8 / 1000)';
/**
 * Take up to $3 tokens of a shared rate-limit bucket ($2 per second; a new bucket starts full), by the
 * database's clock so that every process agrees: `bucket` is keyed by `key`, a row of `owner`.
 * Params: owner id, rate, wanted. Returns the tokens granted and those left; no row when the owner is gone.
 */
const takeTokens = (bucket: string, key: string, owner: string) => `
INSERT INTO hookline.${bucket} AS r (${key}, tokens, at, granted)
SELECT o.id, $2::float8 - LEAST($3::integer, $2::integer), now_ms.at, LEAST($3::integer, $2::integer)
FROM hookline.${owner} o, (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS at) now_ms
WHERE o.id = $1
ON CONFLICT (${key}) DO UPDATE SET
  granted = LEAST($3::integer, floor(${TOKENS_NOW})::integer),
  tokens = ${TOKENS_NOW} - LEAST($3::integer, floor(${TOKENS_NOW})::integer),
  at = EXCLUDED.at
RETURNING granted, tokens`;
/** An endpoint's `rateLimit` bucket (deliveries per second). */
export const TAKE_RATE_TOKENS = takeTokens('endpoint_rate', 'endpoint_id', 'endpoints');
/** An app's `--api-rate-limit` bucket (API requests per second). */
export const TAKE_APP_RATE_TOKENS = takeTokens('app_rate', 'app_id', 'apps');

/** Extend leases still held. Params: until, ids[], worker. */
export const EXTEND_LEASES = `
UPDATE hookline.deliveries SET locked_until = $1, next_attempt_at = $1
WHERE id = ANY ($2::text[]) AND locked_by = $3`;
/** Hand leases back, due at $1; parked (NULL) when the endpoint was disabled meanwhile. Params: due, ids[], worker. */
export const RELEASE_LEASES = `
UPDATE hookline.deliveries d SET locked_by = NULL, locked_until = NULL,
  next_attempt_at = CASE WHEN (SELECT e.disabled FROM hookline.endpoints e WHERE e.id = d.endpoint_id) THEN NULL ELSE $1::bigint END
WHERE d.id = ANY ($2::text[]) AND d.locked_by = $3 AND d.status = 'pending'`;
/** Earliest due time after $1 among deliveries waiting (a lease's expiry for leased ones). */
export const NEXT_DUE = `SELECT MIN(next_attempt_at) AS at FROM hookline.deliveries WHERE status = 'pending' AND next_attempt_at > $1`;
/** Pending deliveries. */
export const QUEUE_DEPTH = `SELECT COUNT(*) AS n FROM hookline.deliveries WHERE status = 'pending'`;

/** A newest-first page of a message's attempts. Params: app_id, message_id, before_at, before_id, limit. */
export const PAGE_ATTEMPTS = `
SELECT * FROM hookline.attempts WHERE app_id = $1 AND message_id = $2 AND (created_at, id) < ($3, $4)
ORDER BY created_at DESC, id DESC LIMIT $5`;

/**
 * Append stats deltas: counters and delay buckets, per app (endpoint_id NULL) and per endpoint, and
 * announce new work when $12 is true; one round trip before COMMIT. Insert-only, so concurrent writers
 * never wait on each other. Params: app_ids[], endpoint_ids[], minutes[], counts[], succeeded[], failed[],
 * then delay app_ids[], endpoint_ids[], minutes[], buckets[], ns[], then notify.
 */
export const INSERT_STATS_DELTAS = `
WITH counters AS (
  INSERT INTO hookline.delivery_stats_delta (app_id, endpoint_id, minute, count, succeeded, failed)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
), delays AS (
  INSERT INTO hookline.delay_histogram_delta (app_id, endpoint_id, minute, bucket, n)
  SELECT * FROM unnest($7::text[], $8::text[], $9::bigint[], $10::integer[], $11::bigint[])
)
SELECT pg_notify('${NEW_WORK_CHANNEL}', '') WHERE $12::boolean`;
/** Take an advisory lock for this transaction if free (one process folds, or analyzes, at a time). Params: lock key. */
export const TRY_XACT_LOCK = `SELECT pg_try_advisory_xact_lock($1) AS locked`;
/** Move counter deltas into the per-minute rows of apps and of endpoints. */
export const FOLD_STATS = `
WITH moved AS (DELETE FROM hookline.delivery_stats_delta RETURNING *),
apps AS (
  INSERT INTO hookline.delivery_stats AS s (app_id, minute, count, succeeded, failed)
  SELECT app_id, minute, SUM(count), SUM(succeeded), SUM(failed) FROM moved WHERE endpoint_id IS NULL
  GROUP BY app_id, minute ORDER BY app_id, minute
  ON CONFLICT (app_id, minute) DO UPDATE SET count = s.count + excluded.count,
    succeeded = s.succeeded + excluded.succeeded, failed = s.failed + excluded.failed
)
INSERT INTO hookline.endpoint_stats AS s (app_id, endpoint_id, minute, count, succeeded, failed)
SELECT app_id, endpoint_id, minute, SUM(count), SUM(succeeded), SUM(failed) FROM moved WHERE endpoint_id IS NOT NULL
GROUP BY app_id, endpoint_id, minute ORDER BY app_id, endpoint_id, minute
ON CONFLICT (app_id, endpoint_id, minute) DO UPDATE SET count = s.count + excluded.count,
  succeeded = s.succeeded + excluded.succeeded, failed = s.failed + excluded.failed`;
/** Move delay deltas into the per-minute buckets of apps and of endpoints. */
export const FOLD_DELAYS = `
WITH moved AS (DELETE FROM hookline.delay_histogram_delta RETURNING *),
apps AS (
  INSERT INTO hookline.delay_histogram AS h (app_id, minute, bucket, n)
  SELECT app_id, minute, bucket, SUM(n) FROM moved WHERE endpoint_id IS NULL
  GROUP BY app_id, minute, bucket ORDER BY app_id, minute, bucket
  ON CONFLICT (app_id, minute, bucket) DO UPDATE SET n = h.n + excluded.n
)
INSERT INTO hookline.endpoint_delay_histogram AS h (app_id, endpoint_id, minute, bucket, n)
SELECT app_id, endpoint_id, minute, bucket, SUM(n) FROM moved WHERE endpoint_id IS NOT NULL
GROUP BY app_id, endpoint_id, minute, bucket ORDER BY app_id, endpoint_id, minute, bucket
ON CONFLICT (app_id, endpoint_id, minute, bucket) DO UPDATE SET n = h.n + excluded.n`;
/** The tables whose hot-path plans depend on their size (planner-stats.ts). */
export const PLANNED_TABLES = ['messages', 'deliveries', 'attempts', 'endpoints'];
/**
 * Which of the tables have grown past twice their size at their last ANALYZE, plus 1,000 rows (a table never
 * analyzed counts as empty). A generic plan only goes wrong when its table outgrew the sizes it was costed
 * with; updates and deletes change no plan here, and ANALYZE reads a 30,000-row sample each time (0.06–0.1 s
 * of the database's CPU), so a table growing from nothing to N rows is analyzed about log2(N / 1,000) times.
 * Params: table names[].
 */
export const STALE_PLANNER_STATS = `
SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = 'hookline' AND s.relname = ANY ($1::text[])
  AND s.n_live_tup > 1000 + 2 * GREATEST(c.reltuples, 0)
ORDER BY s.relname`;
/** hookline's tables with more dead rows than autovacuum's default threshold (50 + 20 % of the table). */
export const DEAD_TUPLE_TABLES = `
SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = 'hookline' AND s.n_dead_tup > 50 + 0.2 * GREATEST(c.reltuples, 0)
ORDER BY s.relname`;
/** Take an advisory lock for this session, if free. Params: lock key. */
export const TRY_SESSION_LOCK = `SELECT pg_try_advisory_lock($1) AS locked`;
/** Give back a session's advisory lock. Params: lock key. */
export const SESSION_UNLOCK = `SELECT pg_advisory_unlock($1)`;
/** Whether autovacuum runs on this server. */
export const SHOW_AUTOVACUUM = `SELECT current_setting('autovacuum') AS autovacuum`;
/**
 * Deliveries created in [from, to) (the part of `since`'s minute the counters get wrong: stats-window.ts), as the counters
 * hold them: status, and the delay a success was counted with. App by app through messages_app_page.
 * Params: appId (null: every app), endpointId (null: every one), from, to.
 */
export const STATS_EDGE = `
SELECT d.status, (d.finished_at - d.created_at)::float8 AS delay
FROM hookline.apps a
CROSS JOIN LATERAL (
  SELECT m.id FROM hookline.messages m WHERE m.app_id = a.id AND m.timestamp >= $3 AND m.timestamp < $4
) m
JOIN hookline.deliveries d ON d.message_id = m.id
WHERE ($1::text IS NULL OR a.id = $1) AND ($2::text IS NULL OR d.endpoint_id = $2)`;
/** Sum app counters (folded and not yet folded) over a window. Params: app (null = all), since. */
export const SUM_STATS = `
SELECT COALESCE(SUM(count), 0)::bigint AS count, COALESCE(SUM(succeeded), 0)::bigint AS succeeded,
  COALESCE(SUM(failed), 0)::bigint AS failed
FROM (
  SELECT app_id, minute, count, succeeded, failed FROM hookline.delivery_stats
  UNION ALL
  SELECT app_id, minute, count, succeeded, failed FROM hookline.delivery_stats_delta WHERE endpoint_id IS NULL
) s
WHERE ($1::text IS NULL OR app_id = $1) AND minute >= $2`;
/** Sum app delay buckets (folded and not yet folded) over a window. Params: app (null = all), since. */
export const SUM_DELAY = `
SELECT bucket, SUM(n)::bigint AS n
FROM (
  SELECT app_id, minute, bucket, n FROM hookline.delay_histogram
  UNION ALL SELECT app_id, minute, bucket, n FROM hookline.delay_histogram_delta WHERE endpoint_id IS NULL
) h
WHERE ($1::text IS NULL OR app_id = $1) AND minute >= $2
GROUP BY bucket`;
/** Sum one endpoint's counters (folded and not yet folded) over a window. Params: app, endpoint, since. */
export const SUM_ENDPOINT_STATS = `
SELECT COALESCE(SUM(count), 0)::bigint AS count, COALESCE(SUM(succeeded), 0)::bigint AS succeeded,
  COALESCE(SUM(failed), 0)::bigint AS failed
FROM (
  SELECT count, succeeded, failed FROM hookline.endpoint_stats
  WHERE app_id = $1 AND endpoint_id = $2 AND minute >= $3
  UNION ALL
  SELECT count, succeeded, failed FROM hookline.delivery_stats_delta
  WHERE app_id = $1 AND endpoint_id = $2 AND minute >= $3
) s`;
/** Sum one endpoint's delay buckets (folded and not yet folded) over a window. Params: app, endpoint, since. */
export const SUM_ENDPOINT_DELAY = `
SELECT bucket, SUM(n)::bigint AS n
FROM (
  SELECT bucket, n FROM hookline.endpoint_delay_histogram WHERE app_id = $1 AND endpoint_id = $2 AND minute >= $3
  UNION ALL
  SELECT bucket, n FROM hookline.delay_histogram_delta WHERE app_id = $1 AND endpoint_id = $2 AND minute >= $3
) h
GROUP BY bucket`;
