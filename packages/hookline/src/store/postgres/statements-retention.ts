/** PostgreSQL statements of the retention purge (named units; positional parameters listed above each). */

/**
 * Park deliveries left due on a disabled endpoint (claims skip them, retention gives up only parked ones):
 * inserted by an ingest that read the endpoint enabled and committed after its disable had parked the rest
 * (another process's 410, or the API's disable), or re-opened by a resend asked for during an attempt that
 * then succeeded. The endpoint rows are locked FOR SHARE: a re-enable, which unparks in its own transaction,
 * either waits for this one or is seen by it. Params: now, limit.
 */
export const PARK_STRAYS = `
UPDATE hookline.deliveries SET next_attempt_at = NULL
WHERE id IN (
  SELECT d.id FROM hookline.deliveries d JOIN hookline.endpoints e ON e.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.locked_by IS NULL AND e.disabled
  LIMIT $2 FOR UPDATE OF d SKIP LOCKED FOR SHARE OF e
)`;

/**
 * Give up unleased pending deliveries created before the cutoff (parked on a disabled endpoint for the
 * whole retention period), so their messages can go. Several processes may purge at once: SKIP LOCKED.
 * Params: now, cutoff, limit.
 */
export const EXPIRE_OLD_PENDING = `
UPDATE hookline.deliveries SET status = 'failed', finished_at = $1, next_attempt_at = NULL
WHERE id IN (
  SELECT id FROM hookline.deliveries
  WHERE status = 'pending' AND next_attempt_at IS NULL AND locked_by IS NULL AND created_at < $2
  LIMIT $3 FOR UPDATE SKIP LOCKED
) RETURNING app_id, endpoint_id, created_at`;

/**
 * Remove up to `limit` messages older than the cutoff that no delivery still owes, with their deliveries
 * and attempts, probed per app through messages_app_page (no extra index on the ingest path).
 * Returns the ids removed. Params: cutoff, limit.
 */
export const DELETE_EXPIRED_MESSAGES = `
WITH doomed AS (
  SELECT m.id FROM hookline.apps a JOIN hookline.messages m ON m.app_id = a.id AND m.timestamp < $1
  WHERE NOT EXISTS (SELECT 1 FROM hookline.deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
  LIMIT $2 FOR UPDATE OF m SKIP LOCKED
), attempts AS (
  DELETE FROM hookline.attempts WHERE message_id IN (SELECT id FROM doomed)
), deliveries AS (
  DELETE FROM hookline.deliveries WHERE message_id IN (SELECT id FROM doomed)
)
DELETE FROM hookline.messages WHERE id IN (SELECT id FROM doomed) RETURNING id`;

/**
 * Remove endpoints deleted before the cutoff (soft-deleted until then; their secrets go with the row, their
 * endpoint_rate row by cascade). Nothing reads a deleted endpoint's row. Params: cutoff, limit.
 */
export const DELETE_OLD_ENDPOINTS = `
DELETE FROM hookline.endpoints WHERE id IN (
  SELECT id FROM hookline.endpoints WHERE deleted_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
)`;

/** Drop counters (and not yet folded deltas) of minutes wholly before the cutoff. Param (each): the cutoff's minute. */
export const DELETE_OLD_STATS = [
  `DELETE FROM hookline.delivery_stats WHERE minute < $1`,
  `DELETE FROM hookline.delay_histogram WHERE minute < $1`,
  `DELETE FROM hookline.endpoint_stats WHERE minute < $1`,
  `DELETE FROM hookline.endpoint_delay_histogram WHERE minute < $1`,
  `DELETE FROM hookline.delivery_stats_delta WHERE minute < $1`,
  `DELETE FROM hookline.delay_histogram_delta WHERE minute < $1`,
];
