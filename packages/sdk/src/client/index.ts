// The typed API client, `@hookline/sdk/client`: fetch and web crypto only, no `node:` imports.
export type { components, paths } from './api-types.js';
export {
  type FieldProblem,
  HooklineApiError,
  HooklineError,
  HooklineNetworkError,
  type Problem,
} from './errors.js';
export { type Health, Hookline, type OperationalWebhook } from './hookline.js';
export { type ItemOf, type Page, PagedList } from './paged-list.js';
export type { App, AppCreate, AppListQuery, AppUpdate } from './resources/apps.js';
export type {
  Endpoint,
  EndpointCreate,
  EndpointListQuery,
  EndpointSecret,
  EndpointStatsQuery,
  EndpointUpdate,
  Recover,
  RotateSecret,
} from './resources/endpoints.js';
export type {
  EventType,
  EventTypeCreate,
  EventTypeListQuery,
  EventTypeUpdate,
} from './resources/event-types.js';
export type {
  Attempt,
  AttemptListQuery,
  Message,
  MessageAccepted,
  MessageCreate,
  MessageListQuery,
  Resend,
} from './resources/messages.js';
export type { Stats, StatsQuery } from './resources/stats.js';
export type { Token, TokenCreate, TokenCreated, TokenListQuery } from './resources/tokens.js';
export { DEFAULT_RETRY, type RetryOptions, retryDelayMs } from './retry.js';
export {
  type BodyOf,
  CLIENT_ROUTES,
  type NotInOpenApi,
  type OperationOf,
  type QueryOf,
  type ResultOf,
  type RouteKey,
} from './routes.js';
export type { FetchLike, HooklineOptions, RequestOptions } from './transport.js';
