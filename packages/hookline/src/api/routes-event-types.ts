import { newId } from '../core/ids.js';
import type { ApiDeps } from './deps.js';
import { HttpError } from './errors.js';
import { compilePayloadSchema, InvalidSchemaError } from './event-type-catalog.js';
import { loadEventType, pageRequest } from './lookup.js';
import { presentEventType } from './present.js';
import type { DefineRoute } from './route.js';
import { EventTypeCreate, EventTypeListQuery, EventTypeOut, EventTypeUpdate, pageOf } from './schemas.js';

/** Refuse a schema ajv cannot compile, naming the `schema` field (400), before anything is stored. */
function checkSchema(schema: Record<string, unknown> | null | undefined): void {
  if (!schema) return;
  try {
    compilePayloadSchema(schema);
  } catch (error) {
    if (!(error instanceof InvalidSchemaError)) throw error;
    throw new HttpError('validation_failed', `${error.field}: ${error.message}`, [
      { field: error.field, message: error.message },
    ]);
  }
}

/** Event types: the platform's catalogue of events. Anyone with a token reads it; the admin writes it. */
export function eventTypeRoutes(route: DefineRoute, deps: ApiDeps): void {
  route({
    method: 'post',
    path: '/v1/event-types',
    summary: 'Register an event type, optionally with a JSON Schema for its payloads',
    tag: 'Event types',
    access: 'admin',
    body: EventTypeCreate,
    responses: { 201: { description: 'Created', schema: EventTypeOut } },
    handler: async ({ body, c }) => {
      checkSchema(body.schema);
      const now = deps.clock();
      const eventType = await deps.store.createEventType({
        id: newId('et', now),
        name: body.name,
        description: body.description ?? '',
        schema: body.schema ?? null,
        createdAt: now,
      });
      deps.eventTypes.forget(eventType.name);
      return c.json(presentEventType(eventType), 201);
    },
  });
  route({
    method: 'get',
    path: '/v1/event-types',
    summary: 'List event types, newest first (archived ones with includeArchived=true)',
    tag: 'Event types',
    access: 'app',
    query: EventTypeListQuery,
    responses: { 200: { description: 'A page of event types', schema: pageOf(EventTypeOut, 'EventTypePage') } },
    handler: async ({ query, c }) => {
      const page = await deps.store.listEventTypes(
        { includeArchived: query.includeArchived ?? false },
        pageRequest(query, 'et'),
      );
      return c.json({ ...page, data: page.data.map(presentEventType) });
    },
  });
  route({
    method: 'get',
    path: '/v1/event-types/{name}',
    summary: 'Get an event type (archived ones too)',
    tag: 'Event types',
    access: 'app',
    responses: { 200: { description: 'The event type', schema: EventTypeOut } },
    handler: async ({ params, c }) => c.json(presentEventType(await loadEventType(deps, params.name!))),
  });
  route({
    method: 'patch',
    path: '/v1/event-types/{name}',
    summary: 'Update an event type (schema: null removes it; archived: false restores it)',
    tag: 'Event types',
    access: 'admin',
    body: EventTypeUpdate,
    responses: { 200: { description: 'The updated event type', schema: EventTypeOut } },
    handler: async ({ params, body, c }) => {
      const current = await loadEventType(deps, params.name!);
      checkSchema(body.schema);
      const updated = await deps.store.updateEventType(current.name, { ...body, updatedAt: deps.clock() });
      deps.eventTypes.forget(current.name);
      return c.json(presentEventType(updated ?? (await loadEventType(deps, current.name))));
    },
  });
  route({
    method: 'delete',
    path: '/v1/event-types/{name}',
    summary: 'Archive an event type (it stays readable; PATCH archived: false restores it)',
    tag: 'Event types',
    access: 'admin',
    responses: { 204: { description: 'Archived' } },
    handler: async ({ params, c }) => {
      const current = await loadEventType(deps, params.name!);
      await deps.store.updateEventType(current.name, { archived: true, updatedAt: deps.clock() });
      deps.eventTypes.forget(current.name);
      return c.body(null, 204);
    },
  });
}
