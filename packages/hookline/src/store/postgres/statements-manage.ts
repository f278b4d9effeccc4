/**
 * PostgreSQL statements of the management API (event types, tokens, message lists, secret rotation, resend
 * and recover), in named units like statements.ts; parameters are positional and listed above each.
 */

/** Register an event type unless the name exists; returns the new row. Params: id, name, description, schema, created_at. */
export const INSERT_EVENT_TYPE = `
INSERT INTO hookline.event_types (id, name, description, schema, archived, created_at, updated_at)
VALUES ($1, $2, $3, $4, false, $5, $5) ON CONFLICT (name) DO NOTHING RETURNING *`;
/** Event types by name, for a batch of lookups. Params: names[]. */
export const GET_EVENT_TYPES = `SELECT * FROM hookline.event_types WHERE name = ANY ($1::text[])`;
/** One event type by name, locked for an update. Params: name. */
export const LOCK_EVENT_TYPE = `SELECT * FROM hookline.event_types WHERE name = $1 FOR UPDATE`;
/** A newest-first page of event types. Params: include_archived, before_at, before_id, limit. */
export const PAGE_EVENT_TYPES = `
SELECT * FROM hookline.event_types WHERE ($1 OR NOT archived) AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`;
/** Replace an event type's mutable fields. Params: name, description, schema, archived, updated_at. */
export const UPDATE_EVENT_TYPE = `
UPDATE hookline.event_types SET description = $2, schema = $3, archived = $4, updated_at = $5
WHERE name = $1 RETURNING *`;

/** Store an app token's hash. Params: id, app_id, name, token_hash, created_at. */
export const INSERT_APP_TOKEN = `
INSERT INTO hookline.app_tokens (id, app_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`;
/** Tokens by hash, for a batch of lookups, if their app still exists. Params: hashes[]. */
export const FIND_APP_TOKENS_BY_HASH = `
SELECT t.id, t.app_id, t.name, t.created_at, t.token_hash FROM hookline.app_tokens t
JOIN hookline.apps a ON a.id = t.app_id WHERE t.token_hash = ANY ($1::text[])`;
/** A newest-first page of an app's tokens. Params: app_id, before_at, before_id, limit. */
export const PAGE_APP_TOKENS = `
SELECT id, app_id, name, created_at FROM hookline.app_tokens WHERE app_id = $1 AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`;
/** Revoke a token. Params: app_id, id. */
export const DELETE_APP_TOKEN = `DELETE FROM hookline.app_tokens WHERE app_id = $1 AND id = $2`;

const MESSAGE_SUMMARY = 'id, app_id, event_type, event_id, timestamp';
/** A newest-first page of an app's messages (index messages_app_page). Params: app_id, before_at, before_id, after, limit. */
export const PAGE_MESSAGES = `
SELECT ${MESSAGE_SUMMARY} FROM hookline.messages
WHERE app_id = $1 AND (timestamp, id) < ($2, $3) AND timestamp > $4
ORDER BY timestamp DESC, id DESC LIMIT $5`;
/** The same, of one event type (index messages_app_type_page). Params: as PAGE_MESSAGES, then event_type. */
export const PAGE_MESSAGES_OF_TYPE = `
SELECT ${MESSAGE_SUMMARY} FROM hookline.messages
WHERE app_id = $1 AND event_type = $6 AND (timestamp, id) < ($2, $3) AND timestamp > $4
ORDER BY timestamp DESC, id DESC LIMIT $5`;

/** Replace an endpoint's secrets. Params: app_id, id, secrets (JSON), updated_at. */
export const SET_ENDPOINT_SECRETS = `
UPDATE hookline.endpoints SET secrets = $3, updated_at = $4 WHERE app_id = $1 AND id = $2 AND deleted_at IS NULL
RETURNING *`;

/** A message's deliveries to live, enabled endpoints (all, or the one given), locked. Params: app_id, message_id, endpoint_id (or null). */
export const DELIVERIES_TO_RESEND = `
SELECT d.id, d.endpoint_id, d.status, d.locked_by, d.created_at, d.finished_at
FROM hookline.deliveries d JOIN hookline.endpoints e ON e.id = d.endpoint_id
WHERE d.message_id = $2 AND d.app_id = $1
  AND (d.endpoint_id = $3 OR ($3::text IS NULL AND NOT d.added_by_resend))
  AND NOT e.disabled AND e.deleted_at IS NULL
ORDER BY d.id
FOR UPDATE OF d`;
/** A delivery a resend to one endpoint created (DELIVERIES_TO_RESEND skips it on a resend to all). Params: id. */
export const MARK_ADDED_BY_RESEND = `UPDATE hookline.deliveries SET added_by_resend = true WHERE id = $1`;
/** Ask for another attempt after the ones in flight (statements.ts FINISH_DELIVERIES). Params: now, ids[]. */
export const RESEND_AFTER_FLIGHT = `
UPDATE hookline.deliveries SET resend_at = $1
WHERE id = ANY ($2::text[]) AND locked_by IS NOT NULL AND status = 'pending' RETURNING id`;
/** Make unleased deliveries due now with a fresh schedule; their attempt counts go on. Params: now, ids[]. */
export const REOPEN_DELIVERIES = `
UPDATE hookline.deliveries SET status = 'pending', next_attempt_at = $1, schedule_start = attempts, finished_at = NULL
WHERE id = ANY ($2::text[]) AND locked_by IS NULL RETURNING id`;
/**
 * Re-open an endpoint's failed deliveries of messages created at or after `since` (index
 * deliveries_endpoint_failed). Claims take equal due times in id order, which is message order.
 * Params: app_id, endpoint_id, since, now.
 */
export const RECOVER_FAILED = `
UPDATE hookline.deliveries SET status = 'pending', next_attempt_at = $4, schedule_start = attempts, finished_at = NULL
WHERE endpoint_id = $2 AND app_id = $1 AND status = 'failed' AND created_at >= $3
RETURNING created_at`;
