/** SQLite statements in named units (STYLE.md habit 3); parameters are named `@param`. */

/** Read one setting. Params: key. */
export const GET_SETTING = `SELECT value FROM settings WHERE key = ?`;
/** Write a setting unless present. Params: key, value. */
export const PUT_SETTING_IF_ABSENT = `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`;

/** Insert an app. Params: id, name, uid, created_at. */
export const INSERT_APP = `INSERT INTO apps (id, name, uid, created_at, updated_at) VALUES (@id, @name, @uid, @createdAt, @createdAt)`;
/** An app by id or uid. Params: ref. */
export const FIND_APP = `SELECT * FROM apps WHERE id = @ref OR uid = @ref LIMIT 1`;
/** A newest-first page of apps. Params: before_at, before_id (use a huge sentinel for the first page), limit. */
export const PAGE_APPS = `SELECT * FROM apps WHERE (created_at, id) < (@beforeAt, @beforeId) ORDER BY created_at DESC, id DESC LIMIT @limit`;
/** Update an app's name and uid. Params: id, name, uid, updated_at. */
export const UPDATE_APP = `UPDATE apps SET name = @name, uid = @uid, updated_at = @updatedAt WHERE id = @id`;
/** Remove an app and everything it owns. Param: app id (each statement). */
export const DELETE_APP_ROWS = [
  `DELETE FROM attempts WHERE app_id = ?`,
  `DELETE FROM deliveries WHERE app_id = ?`,
  `DELETE FROM messages WHERE app_id = ?`,
  `DELETE FROM endpoints WHERE app_id = ?`,
  `DELETE FROM delivery_stats WHERE app_id = ?`,
  `DELETE FROM delay_histogram WHERE app_id = ?`,
  `DELETE FROM endpoint_stats WHERE app_id = ?`,
  `DELETE FROM endpoint_delay_histogram WHERE app_id = ?`,
  `DELETE FROM app_tokens WHERE app_id = ?`,
  `DELETE FROM apps WHERE id = ?`,
];

/** Insert an endpoint. */
export const INSERT_ENDPOINT = `
INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, rate_limit, headers, secrets, created_at, updated_at)
VALUES (@id, @appId, @url, @description, @eventTypes, @disabled, @rateLimit, @headers, @secrets, @createdAt, @createdAt)`;
/** One live endpoint of an app. Params: app_id, id. */
export const GET_ENDPOINT = `SELECT * FROM endpoints WHERE app_id = ? AND id = ? AND deleted_at IS NULL`;
/** A newest-first page of an app's endpoints. */
export const PAGE_ENDPOINTS = `
SELECT * FROM endpoints WHERE app_id = @appId AND deleted_at IS NULL AND (created_at, id) < (@beforeAt, @beforeId)
ORDER BY created_at DESC, id DESC LIMIT @limit`;
/** Replace an endpoint's mutable fields. */
export const UPDATE_ENDPOINT = `
UPDATE endpoints SET url = @url, description = @description, event_types = @eventTypes, disabled = @disabled,
  rate_limit = @rateLimit, headers = @headers, updated_at = @updatedAt, failing_since = @failingSince
WHERE id = @id AND deleted_at IS NULL`;
/** Soft-delete an endpoint. Params: now, app_id, id. */
export const DELETE_ENDPOINT = `UPDATE endpoints SET deleted_at = ? WHERE app_id = ? AND id = ? AND deleted_at IS NULL`;
/** Give up an endpoint's pending deliveries (deleted endpoint). Params: now, endpoint_id. */
export const FAIL_ENDPOINT_PENDING = `
UPDATE deliveries SET status = 'failed', finished_at = ?, next_attempt_at = NULL, locked_by = NULL, locked_until = NULL
WHERE endpoint_id = ? AND status = 'pending' RETURNING app_id, created_at`;
/** Park an endpoint's unleased pending deliveries while it is disabled. Param: endpoint_id. */
export const PARK_ENDPOINT_PENDING = `
UPDATE deliveries SET next_attempt_at = NULL WHERE endpoint_id = ? AND status = 'pending' AND locked_by IS NULL`;
/** Make a re-enabled endpoint's parked deliveries due. Params: now, endpoint_id. */
export const UNPARK_ENDPOINT_PENDING = `
UPDATE deliveries SET next_attempt_at = ? WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at IS NULL`;

/** The first message with this eventId in an app. Params: app_id, event_id. */
export const FIND_MESSAGE_BY_EVENT_ID = `SELECT * FROM messages WHERE app_id = ? AND event_id = ?`;
/** Insert a message. */
export const INSERT_MESSAGE = `
INSERT INTO messages (id, app_id, event_type, event_id, payload, timestamp) VALUES (?, ?, ?, ?, ?, ?)`;
/** Endpoints a new message may go to. Param: app_id. */
export const ENABLED_ENDPOINTS_OF_APP = `
SELECT id, url, event_types, headers, secrets, rate_limit FROM endpoints WHERE app_id = ? AND disabled = 0 AND deleted_at IS NULL`;
/**
 * Insert a delivery (leased to a worker when locked_by is set). The statements of the hot paths take
 * positional parameters: binding by name cost ≈15 % of the store's instructions (a property lookup each).
 */
export const INSERT_DELIVERY = `
INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, next_attempt_at, locked_by, locked_until, created_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`;
/** One message of an app. Params: app_id, id. */
export const GET_MESSAGE = `SELECT * FROM messages WHERE app_id = ? AND id = ?`;

/** Lease due deliveries of enabled endpoints; the lease expiry becomes next_attempt_at so leased rows leave the due index. */
export const CLAIM_DUE = `
UPDATE deliveries SET locked_by = @workerId, locked_until = @until, next_attempt_at = @until, resend_at = NULL
WHERE id IN (
  SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND e.disabled = 0 AND e.deleted_at IS NULL
  ORDER BY d.next_attempt_at LIMIT @limit
) RETURNING id`;
/** Everything needed to send the given deliveries. Param: JSON array of delivery ids. */
export const CLAIMED_DETAILS = `
SELECT d.id AS delivery_id, d.message_id, d.app_id, d.endpoint_id, d.attempts, d.schedule_start,
  d.created_at AS delivery_created_at,
  e.url, e.headers, e.secrets, e.rate_limit, m.event_type, m.timestamp, m.payload
FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id JOIN messages m ON m.id = d.message_id
WHERE d.id IN (SELECT value FROM json_each(?))`;
/**
 * Finish or reschedule a delivery, fenced by the lease. When a resend came in while the attempt was in
 * flight (resend_at), the delivery is due again at resend_at with a fresh schedule instead: `resent` is
 * then 1 (schedule_start = attempts happens only so, since an attempt's number always exceeds the
 * schedule_start it was claimed with). Params: status, attempts, next_attempt_at, finished_at, attempts
 * again, id, worker.
 */
export const FINISH_DELIVERY = `
UPDATE deliveries SET
  status = CASE WHEN resend_at IS NULL THEN ? ELSE 'pending' END,
  attempts = ?,
  next_attempt_at = CASE WHEN resend_at IS NULL THEN ? ELSE resend_at END,
  finished_at = CASE WHEN resend_at IS NULL THEN ? END,
  schedule_start = CASE WHEN resend_at IS NULL THEN schedule_start ELSE ? END,
  resend_at = NULL, locked_by = NULL, locked_until = NULL
WHERE id = ? AND locked_by = ? RETURNING created_at, schedule_start = attempts AS resent`;
/** Drop a resend asked for during an attempt whose endpoint is now disabled (it waits, parked). Param: id. */
export const FORGET_RESEND = `UPDATE deliveries SET resend_at = NULL WHERE id = ? AND resend_at IS NOT NULL`;
/** Record one attempt. */
export const INSERT_ATTEMPT = `
INSERT INTO attempts (id, app_id, message_id, endpoint_id, delivery_id, attempt_number, status,
  response_status_code, response_body, duration_ms, error, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** An endpoint's state after a success. Param: endpoint id. */
export const ENDPOINT_SUCCEEDED = `UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`;
/** An endpoint's state after a failure. Params: at, endpoint id. Returns its failing_since and disabled. */
export const ENDPOINT_FAILED = `
UPDATE endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ? RETURNING failing_since, disabled`;
/** Disable an endpoint. Params: now, id. */
export const DISABLE_ENDPOINT = `UPDATE endpoints SET disabled = 1, updated_at = ? WHERE id = ? AND disabled = 0`;
/** Extend leases still held. Params: until, JSON ids, worker. */
export const EXTEND_LEASES = `
UPDATE deliveries SET locked_until = ?, next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND locked_by = ?`;
/** Hand leases back, due at the given time; parked (NULL) when the endpoint was disabled meanwhile. Params: due, JSON ids, worker. */
export const RELEASE_LEASES = `
UPDATE deliveries SET locked_by = NULL, locked_until = NULL,
  next_attempt_at = CASE WHEN (SELECT e.disabled FROM endpoints e WHERE e.id = deliveries.endpoint_id) = 1 THEN NULL ELSE ? END
WHERE id IN (SELECT value FROM json_each(?)) AND locked_by = ? AND status = 'pending'`;
/** Leases left behind by a previous (dead) process of this single-process store. Param: now. */
export const RELEASE_ALL_LEASES = `
UPDATE deliveries SET locked_by = NULL, locked_until = NULL, next_attempt_at = ? WHERE locked_by IS NOT NULL AND status = 'pending'`;
/** Earliest due time after ? among deliveries waiting. */
export const NEXT_DUE = `SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND next_attempt_at > ?`;
/** Pending deliveries. */
export const QUEUE_DEPTH = `SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'`;

/** A newest-first page of a message's attempts. */
export const PAGE_ATTEMPTS = `
SELECT * FROM attempts WHERE message_id = @messageId AND app_id = @appId AND (created_at, id) < (@beforeAt, @beforeId)
ORDER BY created_at DESC, id DESC LIMIT @limit`;

/** Add to an (app, minute) counter row. */
export const BUMP_STATS = `
INSERT INTO delivery_stats (app_id, minute, count, succeeded, failed) VALUES (@appId, @minute, @count, @succeeded, @failed)
ON CONFLICT (app_id, minute) DO UPDATE SET count = count + excluded.count,
  succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed`;
/** Add to a delay histogram bucket. */
export const BUMP_DELAY = `
INSERT INTO delay_histogram (app_id, minute, bucket, n) VALUES (@appId, @minute, @bucket, @n)
ON CONFLICT (app_id, minute, bucket) DO UPDATE SET n = n + excluded.n`;
/** Add to an (app, endpoint, minute) counter row. */
export const BUMP_ENDPOINT_STATS = `
INSERT INTO endpoint_stats (app_id, endpoint_id, minute, count, succeeded, failed)
VALUES (@appId, @endpointId, @minute, @count, @succeeded, @failed)
ON CONFLICT (app_id, endpoint_id, minute) DO UPDATE SET count = count + excluded.count,
  succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed`;
/** Add to an endpoint's delay histogram bucket. */
export const BUMP_ENDPOINT_DELAY = `
INSERT INTO endpoint_delay_histogram (app_id, endpoint_id, minute, bucket, n) VALUES (@appId, @endpointId, @minute, @bucket, @n)
ON CONFLICT (app_id, endpoint_id, minute, bucket) DO UPDATE SET n = n + excluded.n`;
/** Sum counters over a window. Params: app (null = all), since. */
export const SUM_STATS = `
SELECT COALESCE(SUM(count), 0) AS count, COALESCE(SUM(succeeded), 0) AS succeeded, COALESCE(SUM(failed), 0) AS failed
FROM delivery_stats WHERE (@appId IS NULL OR app_id = @appId) AND minute >= @since`;
/** Sum delay buckets over a window. */
export const SUM_DELAY = `
SELECT bucket, SUM(n) AS n FROM delay_histogram WHERE (@appId IS NULL OR app_id = @appId) AND minute >= @since GROUP BY bucket`;
/**
 * Deliveries created in [from, to) (the part of `since`'s minute the counters get wrong: stats-window.ts), as the counters
 * hold them: status, and the delay a success was counted with. App by app through messages_app_page
 * (CROSS JOIN keeps apps outermost). Params: appId (null: every app), endpointId (null: every one), from, to.
 */
export const STATS_EDGE = `
SELECT d.status, d.finished_at - d.created_at AS delay
FROM apps a CROSS JOIN messages m CROSS JOIN deliveries d
WHERE (@appId IS NULL OR a.id = @appId) AND m.app_id = a.id AND m.timestamp >= @from AND m.timestamp < @to
  AND d.message_id = m.id AND (@endpointId IS NULL OR d.endpoint_id = @endpointId)`;
/** Sum one endpoint's counters over a window. Params: appId, endpointId, since. */
export const SUM_ENDPOINT_STATS = `
SELECT COALESCE(SUM(count), 0) AS count, COALESCE(SUM(succeeded), 0) AS succeeded, COALESCE(SUM(failed), 0) AS failed
FROM endpoint_stats WHERE app_id = @appId AND endpoint_id = @endpointId AND minute >= @since`;
/** Sum one endpoint's delay buckets over a window. */
export const SUM_ENDPOINT_DELAY = `
SELECT bucket, SUM(n) AS n FROM endpoint_delay_histogram
WHERE app_id = @appId AND endpoint_id = @endpointId AND minute >= @since GROUP BY bucket`;
