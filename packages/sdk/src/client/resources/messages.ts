import { type ItemOf, type PagedList, pagedList } from '../paged-list.js';
import type {
  MessageListItemFallback,
  MessageListQueryFallback,
  PageFallback,
  ResendFallback,
} from '../pending-types.js';
import type { BodyOf, QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

/** A message to send; `eventId` is optional (one is generated, so a retried send stays one message). */
export type MessageCreate = BodyOf<'POST /v1/apps/{app}/messages'>;
/** The 202 answer to a send: the message's id, type, eventId and envelope timestamp. */
export type MessageAccepted = ResultOf<'POST /v1/apps/{app}/messages'>;
/** A message with its payload. */
export type Message = ResultOf<'GET /v1/apps/{app}/messages/{msg}'>;
export type MessageListQuery = QueryOf<'GET /v1/apps/{app}/messages', MessageListQueryFallback>;
/** One HTTP request of a delivery, with its outcome. */
export type Attempt = ItemOf<ResultOf<'GET /v1/apps/{app}/messages/{msg}/attempts'>>;
export type AttemptListQuery = QueryOf<'GET /v1/apps/{app}/messages/{msg}/attempts'>;
export type Resend = BodyOf<'POST /v1/apps/{app}/messages/{msg}/resend', ResendFallback>;

/** An app's messages and their delivery attempts: `app` is the app's id or uid, `msg` a message id. */
export class Messages {
  constructor(private readonly transport: Transport) {}

  /**
   * `POST /v1/apps/{app}/messages`: durable once it resolves. Without an `eventId` one is generated
   * (`crypto.randomUUID()`) before the first try, which makes the call safe to retry: the server answers
   * a repeated eventId with the first message instead of sending it twice.
   */
  send(app: string, message: MessageCreate, options?: RequestOptions): Promise<MessageAccepted> {
    const body = { ...message, eventId: message.eventId ?? crypto.randomUUID() };
    return this.transport.call(
      'POST /v1/apps/{app}/messages',
      { params: { app }, body, idempotent: true },
      options,
    );
  }

  /** `GET /v1/apps/{app}/messages`, newest first, across pages; filters apply to every page. */
  list(
    app: string,
    query?: MessageListQuery,
    options?: RequestOptions,
  ): PagedList<ItemOf<ResultOf<'GET /v1/apps/{app}/messages', PageFallback<MessageListItemFallback>>>> {
    return pagedList(this.transport, 'GET /v1/apps/{app}/messages', { app }, query, options);
  }

  /** `GET /v1/apps/{app}/messages/{msg}`, with its payload. */
  get(app: string, msg: string, options?: RequestOptions): Promise<Message> {
    return this.transport.call('GET /v1/apps/{app}/messages/{msg}', { params: { app, msg } }, options);
  }

  /** `GET /v1/apps/{app}/messages/{msg}/attempts`, newest first, across pages. */
  attempts(app: string, msg: string, query?: AttemptListQuery, options?: RequestOptions): PagedList<Attempt> {
    return pagedList(
      this.transport,
      'GET /v1/apps/{app}/messages/{msg}/attempts',
      { app, msg },
      query,
      options,
    );
  }

  /** `POST …/resend`: to one endpoint, or (without `endpointId`) every enabled one it matched. */
  resend(
    app: string,
    msg: string,
    resend: Resend = {},
    options?: RequestOptions,
  ): Promise<ResultOf<'POST /v1/apps/{app}/messages/{msg}/resend', unknown>> {
    return this.transport.call(
      'POST /v1/apps/{app}/messages/{msg}/resend',
      { params: { app, msg }, body: resend },
      options,
    );
  }
}
