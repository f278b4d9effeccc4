/** The database could not take the write (disk full, I/O error, connection lost); the API answers 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** A unique value (an app's uid) is already taken. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(readonly field: string) {
    super(`${field} is already taken`);
  }
}
