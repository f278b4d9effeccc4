import { plainError, type SerializedError } from '../../threads/rpc.js';
import { ConflictError, StoreUnavailableError } from '../errors.js';
import { InvalidIteratorError } from '../paging.js';
import { DatabaseLockedError } from './sqlite-store.js';

/** Rebuild the typed error the API maps to a status (409, 400, 503…); anything else stays a plain Error. */
export function reviveStoreError(error: SerializedError): Error {
  switch (error.name) {
    case 'ConflictError':
      return new ConflictError(error.field ?? 'value');
    case 'StoreUnavailableError':
      return new StoreUnavailableError(error.message);
    case 'InvalidIteratorError':
      return new InvalidIteratorError(error.message);
    case 'DatabaseLockedError':
      return new DatabaseLockedError(error.message);
    default:
      return plainError(error);
  }
}
