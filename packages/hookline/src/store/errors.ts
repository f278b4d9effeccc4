/** The database could not take the write (disk full, I/O error, connection lost); the API answers 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * Refuse a database a newer hookline migrated (a migration `applied` there that is not among `known`): this
 * version does not know what those migrations changed (a downgrade, or an old process started during a
 * rolling upgrade), so it does not use it.
 */
export function refuseNewerSchema(applied: ReadonlySet<number>, known: ReadonlyArray<{ version: number }>): void {
  const newest = Math.max(0, ...applied);
  const knownUpTo = known.at(-1)!.version;
  if (newest > knownUpTo) {
    throw new Error(
      `the database was migrated by a newer hookline (schema version ${newest}; this version knows up to ${knownUpTo}): run the newer version`,
    );
  }
}

/** A unique value (an app's uid) is already taken. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(readonly field: string) {
    super(`${field} is already taken`);
  }
}

/**
 * A write that would have to wait for a transaction hookline does not control (a platform's transaction
 * that called hookline.send_message and has not committed): it is refused after a short wait instead of
 * holding the store's writes behind it. Nothing was done; the caller may retry.
 */
export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
  constructor(
    readonly code: 'event_id_in_flight' | 'app_busy',
    message: string,
  ) {
    super(message);
  }
}
