import { ConflictError, StoreUnavailableError } from '../errors.js';
import { InvalidIteratorError } from '../paging.js';
import { DatabaseLockedError } from './sqlite-store.js';

/** One store method call sent to the store thread. */
export interface StoreCall {
  id: number;
  method: string;
  args: unknown[];
}

/** The answer to a call; id 0 answers the thread's start (value = the store's capabilities). */
export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

/**
 * Messages to the other thread, sent as one array per event-loop turn: a `postMessage` per store call
 * cost ≈4 % of the main thread under load.
 */
export class Outbox<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.post(items);
    });
  }
}

export interface SerializedError {
  name: string;
  message: string;
  field?: string;
  code?: string;
}

export function serializeError(error: unknown): SerializedError {
  const e = error as { name?: string; message?: string; field?: string; code?: string };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(error),
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}

/** Rebuild the typed error the API maps to a status (409, 400, 503…); anything else stays a plain Error. */
export function reviveError(error: SerializedError): Error {
  switch (error.name) {
    case 'ConflictError':
      return new ConflictError(error.field ?? 'value');
    case 'StoreUnavailableError':
      return new StoreUnavailableError(error.message);
    case 'InvalidIteratorError':
      return new InvalidIteratorError(error.message);
    case 'DatabaseLockedError':
      return new DatabaseLockedError(error.message);
    default: {
      const revived = new Error(error.message);
      revived.name = error.name;
      return Object.assign(revived, error.code !== undefined ? { code: error.code } : {});
    }
  }
}
