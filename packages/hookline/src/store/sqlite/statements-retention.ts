/** SQLite statements of the retention purge (named units; parameters named `@param`). */

/**
 * Park deliveries left due on a disabled endpoint (claims skip them, retention gives up only parked ones):
 * re-opened by a resend asked for during an attempt that then succeeded. Params: now, limit.
 */
export const PARK_STRAYS = `
UPDATE deliveries SET next_attempt_at = NULL
WHERE id IN (
  SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND d.locked_by IS NULL AND e.disabled = 1
  LIMIT @limit
)`;

/**
 * Give up deliveries created before the cutoff that are parked (pending, not due: their endpoint has been
 * disabled for the whole retention period), so their messages can go. Pinned to deliveries_parked: the
 * planner would otherwise walk every parked row through deliveries_due.
 * Params: now, cutoff, limit.
 */
export const EXPIRE_OLD_PENDING = `
UPDATE deliveries SET status = 'failed', finished_at = @now
WHERE id IN (
  SELECT id FROM deliveries INDEXED BY deliveries_parked
  WHERE status = 'pending' AND next_attempt_at IS NULL AND locked_by IS NULL AND created_at < @cutoff LIMIT @limit
) RETURNING app_id, endpoint_id, created_at`;

/**
 * Messages older than the cutoff that no delivery still owes, probed per app through messages_app_page
 * (no extra index on the ingest path). CROSS JOIN keeps apps the outer loop; otherwise the planner scans
 * every message when nothing has expired. Params: cutoff, limit.
 */
export const EXPIRED_MESSAGES = `
SELECT m.id FROM apps a CROSS JOIN messages m ON m.app_id = a.id AND m.timestamp < @cutoff
WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
LIMIT @limit`;

/** Remove the given messages with their deliveries and attempts. Param (each): JSON array of message ids. */
export const DELETE_MESSAGES_ROWS = [
  `DELETE FROM attempts WHERE message_id IN (SELECT value FROM json_each(?))`,
  `DELETE FROM deliveries WHERE message_id IN (SELECT value FROM json_each(?))`,
  `DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))`,
];

/**
 * Remove endpoints deleted before the cutoff (soft-deleted until then; their secrets go with the row).
 * Nothing reads a deleted endpoint's row. Params: cutoff, limit.
 */
export const DELETE_OLD_ENDPOINTS = `
DELETE FROM endpoints WHERE id IN (SELECT id FROM endpoints WHERE deleted_at < @cutoff LIMIT @limit)`;

/** Drop counters of minutes wholly before the cutoff. Param (each): the cutoff's minute. */
export const DELETE_OLD_STATS = [
  `DELETE FROM delivery_stats WHERE minute < ?`,
  `DELETE FROM delay_histogram WHERE minute < ?`,
  `DELETE FROM endpoint_stats WHERE minute < ?`,
  `DELETE FROM endpoint_delay_histogram WHERE minute < ?`,
];
