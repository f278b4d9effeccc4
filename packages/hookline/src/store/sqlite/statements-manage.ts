/**
 * SQLite statements of the management API (event types, tokens, message lists, secret rotation, resend and
 * recover), in named units like statements.ts; parameters are named `@param`.
 */

/** Register an event type. */
export const INSERT_EVENT_TYPE = `
INSERT INTO event_types (id, name, description, schema, archived, created_at, updated_at)
VALUES (@id, @name, @description, @schema, 0, @createdAt, @createdAt)`;
/** One event type by name. Param: name. */
export const GET_EVENT_TYPE = `SELECT * FROM event_types WHERE name = ?`;
/** A newest-first page of event types. Params: includeArchived (0/1), beforeAt, beforeId, limit. */
export const PAGE_EVENT_TYPES = `
SELECT * FROM event_types WHERE (@includeArchived = 1 OR archived = 0) AND (created_at, id) < (@beforeAt, @beforeId)
ORDER BY created_at DESC, id DESC LIMIT @limit`;
/** Replace an event type's mutable fields. */
export const UPDATE_EVENT_TYPE = `
UPDATE event_types SET description = @description, schema = @schema, archived = @archived, updated_at = @updatedAt
WHERE name = @name`;

/** Store an app token's hash. */
export const INSERT_APP_TOKEN = `
INSERT INTO app_tokens (id, app_id, name, token_hash, created_at) VALUES (@id, @appId, @name, @tokenHash, @createdAt)`;
/** The token with this hash, if its app still exists. Param: hash. */
export const FIND_APP_TOKEN_BY_HASH = `
SELECT t.id, t.app_id, t.name, t.created_at FROM app_tokens t JOIN apps a ON a.id = t.app_id WHERE t.token_hash = ?`;
/** A newest-first page of an app's tokens. */
export const PAGE_APP_TOKENS = `
SELECT id, app_id, name, created_at FROM app_tokens WHERE app_id = @appId AND (created_at, id) < (@beforeAt, @beforeId)
ORDER BY created_at DESC, id DESC LIMIT @limit`;
/** Revoke a token. Params: app_id, id. */
export const DELETE_APP_TOKEN = `DELETE FROM app_tokens WHERE app_id = ? AND id = ?`;

const MESSAGE_SUMMARY = 'id, app_id, event_type, event_id, timestamp';
/** A newest-first page of an app's messages (index messages_app_page). `before` is folded into the start. */
export const PAGE_MESSAGES = `
SELECT ${MESSAGE_SUMMARY} FROM messages
WHERE app_id = @appId AND (timestamp, id) < (@beforeAt, @beforeId) AND timestamp > @after
ORDER BY timestamp DESC, id DESC LIMIT @limit`;
/**
 * The same, of one event type. Pinned to messages_app_type_page: without statistics the planner prefers
 * messages_app_page and scans the whole app for a rare type (30 ms a page at 100k messages instead of 1 ms).
 */
export const PAGE_MESSAGES_OF_TYPE = `
SELECT ${MESSAGE_SUMMARY} FROM messages INDEXED BY messages_app_type_page
WHERE app_id = @appId AND event_type = @eventType AND (timestamp, id) < (@beforeAt, @beforeId) AND timestamp > @after
ORDER BY timestamp DESC, id DESC LIMIT @limit`;

/** Replace an endpoint's secrets. Params: secrets (JSON), updatedAt, appId, id. */
export const SET_ENDPOINT_SECRETS = `
UPDATE endpoints SET secrets = @secrets, updated_at = @updatedAt WHERE app_id = @appId AND id = @id AND deleted_at IS NULL`;

/** A message's deliveries to live, enabled endpoints (all of them, or the one given). */
export const DELIVERIES_TO_RESEND = `
SELECT d.id, d.endpoint_id, d.status, d.locked_by, d.created_at, d.finished_at
FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
WHERE d.message_id = @messageId AND d.app_id = @appId
  AND (d.endpoint_id = @endpointId OR (@endpointId IS NULL AND d.added_by_resend = 0))
  AND e.disabled = 0 AND e.deleted_at IS NULL`;
/** A delivery a resend to one endpoint created (DELIVERIES_TO_RESEND skips it on a resend to all). Params: id. */
export const MARK_ADDED_BY_RESEND = `UPDATE deliveries SET added_by_resend = 1 WHERE id = ?`;
/** Ask for another attempt after the one in flight (queue.ts FINISH_DELIVERY). Params: now, id. */
export const RESEND_AFTER_FLIGHT = `
UPDATE deliveries SET resend_at = @now WHERE id = @id AND locked_by IS NOT NULL AND status = 'pending'`;
/** Make an unleased delivery due now with a fresh schedule; its attempt count goes on. Params: now, id. */
export const REOPEN_DELIVERY = `
UPDATE deliveries SET status = 'pending', next_attempt_at = @now, schedule_start = attempts, finished_at = NULL
WHERE id = @id AND locked_by IS NULL`;
/**
 * Re-open an endpoint's failed deliveries of messages created at or after `since` (index
 * deliveries_endpoint_failed). Rows keep their insertion order in the due index, so they go out in message order.
 */
export const RECOVER_FAILED = `
UPDATE deliveries SET status = 'pending', next_attempt_at = @now, schedule_start = attempts, finished_at = NULL
WHERE endpoint_id = @endpointId AND app_id = @appId AND status = 'failed' AND created_at >= @since
RETURNING created_at`;
