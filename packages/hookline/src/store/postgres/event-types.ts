import { ConflictError } from '../errors.js';
import { keysetBefore, toPage } from '../paging.js';
import type { EventType, EventTypeFilter, EventTypePatch, NewEventType, Page, PageRequest } from '../types.js';
import type { PostgresContext } from './context.js';
import type { PgQueryable } from './driver.js';
import { type EventTypeRow, toEventType } from './rows.js';
import * as sql from './statements-manage.js';

const schemaText = (schema: Record<string, unknown> | null) => (schema === null ? null : JSON.stringify(schema));

/** Event types on PostgreSQL: a small table read by name (the API caches it per process for a second). */
export async function createEventType(ctx: PostgresContext, eventType: NewEventType): Promise<EventType> {
  const [row] = await ctx.rows<EventTypeRow>(sql.INSERT_EVENT_TYPE, [
    eventType.id,
    eventType.name,
    eventType.description,
    schemaText(eventType.schema),
    eventType.createdAt,
  ]);
  if (!row) throw new ConflictError('name');
  return toEventType(row);
}

/** Event types by name, one answer per name. */
export async function getEventTypes(tx: PgQueryable, names: string[]): Promise<Array<EventType | null>> {
  const { rows } = await tx.query<EventTypeRow>(sql.GET_EVENT_TYPES, [[...new Set(names)]]);
  const found = new Map(rows.map((r) => [r.name, toEventType(r)]));
  return names.map((name) => found.get(name) ?? null);
}

export async function listEventTypes(
  ctx: PostgresContext,
  filter: EventTypeFilter,
  page: PageRequest,
): Promise<Page<EventType>> {
  const { beforeAt, beforeId } = keysetBefore(page);
  const rows = await ctx.rows<EventTypeRow>(sql.PAGE_EVENT_TYPES, [
    filter.includeArchived,
    beforeAt,
    beforeId,
    page.limit + 1,
  ]);
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toEventType);
}

export function updateEventType(
  ctx: PostgresContext,
  name: string,
  patch: EventTypePatch,
): Promise<EventType | null> {
  return ctx.transaction(async (tx) => {
    const [row] = (await tx.query<EventTypeRow>(sql.LOCK_EVENT_TYPE, [name])).rows;
    if (!row) return null;
    const current = toEventType(row);
    const { rows } = await tx.query<EventTypeRow>(sql.UPDATE_EVENT_TYPE, [
      name,
      patch.description ?? current.description,
      schemaText(patch.schema === undefined ? current.schema : patch.schema),
      patch.archived ?? current.archived,
      patch.updatedAt,
    ]);
    return toEventType(rows[0]!);
  });
}
