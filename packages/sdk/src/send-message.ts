/**
 * The one method of a node-postgres client `sendMessage` uses: a `pg.Client`, a `pg.PoolClient` inside
 * your transaction, or anything with the same shape. No runtime dependency on `pg`.
 */
export interface SendMessageClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A message for `hookline.send_message`. */
export interface SendMessageInput {
  /** The app's id (`app_…`) or uid. */
  app: string;
  /** Matches `^[a-zA-Z0-9_.-]{1,256}$`. */
  eventType: string;
  /** A JSON object: the envelope's `data`. */
  payload: Record<string, unknown>;
  /** Deduplication key per app: a repeated one returns the first message's id. */
  eventId?: string | null;
}

/** The statement `sendMessage` runs. */
export const SEND_MESSAGE_SQL = 'SELECT hookline.send_message($1, $2, $3::jsonb, $4) AS id';

/**
 * Enqueue a hookline message inside the caller's PostgreSQL transaction (hookline running on the same
 * database): it is delivered if the transaction commits, and never if it rolls back. Resolves with the
 * message id. Errors from the database (unknown app, invalid input) are passed through as they are.
 *
 * ```ts
 * await client.query('BEGIN');
 * await client.query('UPDATE orders SET paid = true WHERE id = $1', [orderId]);
 * await sendMessage(client, { app: 'acme', eventType: 'order.paid', payload: { orderId } });
 * await client.query('COMMIT');
 * ```
 */
export async function sendMessage(client: SendMessageClient, input: SendMessageInput): Promise<string> {
  if (input.payload === null || typeof input.payload !== 'object' || Array.isArray(input.payload)) {
    throw new TypeError('sendMessage: payload must be a JSON object');
  }
  const { rows } = await client.query(SEND_MESSAGE_SQL, [
    input.app,
    input.eventType,
    JSON.stringify(input.payload),
    input.eventId ?? null,
  ]);
  const id = (rows[0] as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') throw new Error('sendMessage: hookline.send_message returned no message id');
  return id;
}
