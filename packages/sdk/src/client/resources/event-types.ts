import { type ItemOf, type PagedList, pagedList } from '../paged-list.js';
import type {
  EventTypeCreateFallback,
  EventTypeFallback,
  EventTypeUpdateFallback,
  ListQueryFallback,
  PageFallback,
} from '../pending-types.js';
import type { BodyOf, QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

/** A named kind of event (`order.paid`), optionally with a JSON Schema for its payload. */
export type EventType = ResultOf<'GET /v1/event-types/{name}', EventTypeFallback>;
export type EventTypeCreate = BodyOf<'POST /v1/event-types', EventTypeCreateFallback>;
export type EventTypeUpdate = BodyOf<'PATCH /v1/event-types/{name}', EventTypeUpdateFallback>;
export type EventTypeListQuery = QueryOf<'GET /v1/event-types', ListQueryFallback>;

/** Event types. Reading them is open to app-scoped tokens; writing is admin-only. */
export class EventTypes {
  constructor(private readonly transport: Transport) {}

  /** `POST /v1/event-types`. */
  create(
    eventType: EventTypeCreate,
    options?: RequestOptions,
  ): Promise<ResultOf<'POST /v1/event-types', EventTypeFallback>> {
    return this.transport.call('POST /v1/event-types', { params: {}, body: eventType }, options);
  }

  /** `GET /v1/event-types`, across pages. */
  list(
    query?: EventTypeListQuery,
    options?: RequestOptions,
  ): PagedList<ItemOf<ResultOf<'GET /v1/event-types', PageFallback<EventTypeFallback>>>> {
    return pagedList(this.transport, 'GET /v1/event-types', {}, query, options);
  }

  /** `GET /v1/event-types/{name}`. */
  get(name: string, options?: RequestOptions): Promise<EventType> {
    return this.transport.call('GET /v1/event-types/{name}', { params: { name } }, options);
  }

  /** `PATCH /v1/event-types/{name}`. */
  update(
    name: string,
    changes: EventTypeUpdate,
    options?: RequestOptions,
  ): Promise<ResultOf<'PATCH /v1/event-types/{name}', EventTypeFallback>> {
    return this.transport.call('PATCH /v1/event-types/{name}', { params: { name }, body: changes }, options);
  }

  /** `DELETE /v1/event-types/{name}`: archives the event type. */
  archive(name: string, options?: RequestOptions): Promise<ResultOf<'DELETE /v1/event-types/{name}', void>> {
    return this.transport.call('DELETE /v1/event-types/{name}', { params: { name } }, options);
  }
}
