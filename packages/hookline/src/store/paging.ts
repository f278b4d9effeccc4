import { hash } from 'node:crypto';
import type { Page, PageRequest } from './types.js';

/** A keyset position in a newest-first list ordered by (createdAt, id). */
export interface Cursor {
  createdAt: number;
  id: string;
}

/** A malformed `iterator`; the API answers 400 `invalid_iterator`. */
export class InvalidIteratorError extends Error {
  override name = 'InvalidIteratorError';
}

/**
 * `<ms>|<id>|<check>`, base64url. The check (a digest's first 8 characters) makes a damaged or edited
 * iterator a 400 instead of a page that starts somewhere else; it is not a secret.
 */
export function encodeCursor(cursor: Cursor): string {
  const position = `${cursor.createdAt}|${cursor.id}`;
  return Buffer.from(`${position}|${check(position)}`).toString('base64url');
}

/** Decode an opaque iterator; throws InvalidIteratorError when it was not made by encodeCursor. */
export function decodeCursor(iterator: string): Cursor {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(iterator) ? Buffer.from(iterator, 'base64url').toString() : '';
  const match = /^((\d{1,16})\|([a-z]+_[0-9A-Za-z]{1,64}))\|([A-Za-z0-9_-]{8})$/.exec(text);
  if (!match || check(match[1]!) !== match[4]) throw new InvalidIteratorError('iterator is malformed');
  return { createdAt: Number(match[2]), id: match[3]! };
}

const check = (position: string): string => hash('sha256', position, 'base64url').slice(0, 8);

/** The cursor a page request starts after, or null for the first page. */
export function startCursor(request: PageRequest): Cursor | null {
  return request.iterator ? decodeCursor(request.iterator) : null;
}

/**
 * Turn `limit + 1` fetched rows into a page: the extra row only proves there is more.
 * `done` is true on the page that holds the last item.
 */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  position: (row: Row) => Cursor,
  map: (row: Row) => T,
): Page<T> {
  const done = rows.length <= limit;
  const kept = done ? rows : rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return {
    data: kept.map(map),
    iterator: done || last === undefined ? null : encodeCursor(position(last)),
    done,
  };
}

/** A first page starts before every real position. */
const NO_CURSOR = { beforeAt: Number.MAX_SAFE_INTEGER, beforeId: '~' };

/** The keyset bound `(created_at, id) < (beforeAt, beforeId)` a page request starts after. */
export function keysetBefore(page: PageRequest): { beforeAt: number; beforeId: string } {
  const cursor = startCursor(page);
  return cursor ? { beforeAt: cursor.createdAt, beforeId: cursor.id } : NO_CURSOR;
}
