import { ConflictError } from '../errors.js';
import { toPage } from '../paging.js';
import type { EventType, EventTypeFilter, EventTypePatch, NewEventType, Page, PageRequest } from '../types.js';
import { type SqliteContext, keysetBefore } from './context.js';
import { type EventTypeRow, toEventType } from './rows.js';
import * as sql from './statements-manage.js';

/** Event types on SQLite: a small table read by name on every message with a cache above it (api/). */
export function createEventType(ctx: SqliteContext, eventType: NewEventType): Promise<EventType> {
  return ctx.write(() => {
    if (ctx.stmt(sql.GET_EVENT_TYPE).get(eventType.name)) throw new ConflictError('name');
    ctx.stmt(sql.INSERT_EVENT_TYPE).run({
      ...eventType,
      schema: eventType.schema === null ? null : JSON.stringify(eventType.schema),
    });
    return toEventType(ctx.stmt(sql.GET_EVENT_TYPE).get(eventType.name) as EventTypeRow);
  });
}

export function getEventType(ctx: SqliteContext, name: string): EventType | null {
  const row = ctx.stmt(sql.GET_EVENT_TYPE).get(name) as EventTypeRow | undefined;
  return row ? toEventType(row) : null;
}

export function listEventTypes(
  ctx: SqliteContext,
  filter: EventTypeFilter,
  page: PageRequest,
): Page<EventType> {
  const rows = ctx.stmt(sql.PAGE_EVENT_TYPES).all({
    includeArchived: filter.includeArchived ? 1 : 0,
    ...keysetBefore(page),
    limit: page.limit + 1,
  }) as EventTypeRow[];
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toEventType);
}

export function updateEventType(
  ctx: SqliteContext,
  name: string,
  patch: EventTypePatch,
): Promise<EventType | null> {
  return ctx.write(() => {
    const current = getEventType(ctx, name);
    if (!current) return null;
    const schema = patch.schema === undefined ? current.schema : patch.schema;
    ctx.stmt(sql.UPDATE_EVENT_TYPE).run({
      name,
      description: patch.description ?? current.description,
      schema: schema === null ? null : JSON.stringify(schema),
      archived: (patch.archived ?? current.archived) ? 1 : 0,
      updatedAt: patch.updatedAt,
    });
    return getEventType(ctx, name);
  });
}
