/**
 * Every route the client calls, and the types of each one looked up by path and method in the generated
 * `paths` (api-types.ts). A route the server's OpenAPI document does not describe yet falls back to the
 * types from CONTRACT.md in pending-types.ts; `npm run docs` regenerating api-types.ts makes it precise.
 */
import type { paths } from './api-types.js';

/** Every route the client calls, as `METHOD /path` with the server's `{param}` path template. */
export const CLIENT_ROUTES = [
  'POST /v1/apps',
  'GET /v1/apps',
  'GET /v1/apps/{app}',
  'PATCH /v1/apps/{app}',
  'DELETE /v1/apps/{app}',
  'POST /v1/event-types',
  'GET /v1/event-types',
  'GET /v1/event-types/{name}',
  'PATCH /v1/event-types/{name}',
  'DELETE /v1/event-types/{name}',
  'POST /v1/apps/{app}/endpoints',
  'GET /v1/apps/{app}/endpoints',
  'GET /v1/apps/{app}/endpoints/{ep}',
  'PATCH /v1/apps/{app}/endpoints/{ep}',
  'DELETE /v1/apps/{app}/endpoints/{ep}',
  'GET /v1/apps/{app}/endpoints/{ep}/secret',
  'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate',
  'POST /v1/apps/{app}/endpoints/{ep}/recover',
  'GET /v1/apps/{app}/endpoints/{ep}/stats',
  'POST /v1/apps/{app}/messages',
  'GET /v1/apps/{app}/messages',
  'GET /v1/apps/{app}/messages/{msg}',
  'GET /v1/apps/{app}/messages/{msg}/attempts',
  'POST /v1/apps/{app}/messages/{msg}/resend',
  'POST /v1/apps/{app}/tokens',
  'GET /v1/apps/{app}/tokens',
  'DELETE /v1/apps/{app}/tokens/{token}',
  'GET /v1/stats',
  'GET /v1/apps/{app}/stats',
  'GET /v1/operational-webhook',
  'GET /healthz',
  'GET /metrics',
  'GET /openapi.json',
] as const;

/** One route of {@link CLIENT_ROUTES}. */
export type RouteKey = (typeof CLIENT_ROUTES)[number];

type MethodOf<K> = K extends `${infer M} ${string}` ? Lowercase<M> : never;
type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

/** The path parameters a route's template names, e.g. `{ app: string; ep: string }`. */
export type ParamsOf<K extends RouteKey> = { [Name in ParamNames<PathOf<K>>]: string };

declare const notInOpenApi: unique symbol;
/** Stands for a route the current server's OpenAPI document does not describe (yet). */
export interface NotInOpenApi {
  readonly [notInOpenApi]: true;
}

/** The generated description of a route, or {@link NotInOpenApi}. */
export type OperationOf<K extends RouteKey> =
  PathOf<K> extends keyof paths
    ? MethodOf<K> extends keyof paths[PathOf<K>]
      ? paths[PathOf<K>][MethodOf<K>]
      : NotInOpenApi
    : NotInOpenApi;

/** The JSON request body of a route; `Fallback` (from CONTRACT.md) while the server lacks the route. */
export type BodyOf<K extends RouteKey, Fallback = undefined> =
  OperationOf<K> extends { body: infer Body } ? Body : Fallback;

/** The query parameters of a route; `Fallback` while the server lacks the route. */
export type QueryOf<K extends RouteKey, Fallback = Record<string, never>> =
  OperationOf<K> extends { query: infer Query } ? Query : Fallback;

/** The JSON answer of a route (its 2xx response); `Fallback` while the server lacks the route. */
export type ResultOf<K extends RouteKey, Fallback = unknown> =
  OperationOf<K> extends { responses: infer Responses } ? Responses[keyof Responses] : Fallback;

/** `METHOD` and `/path/template` of a route. */
export function splitRoute(route: RouteKey): { method: string; template: string } {
  const space = route.indexOf(' ');
  return { method: route.slice(0, space), template: route.slice(space + 1) };
}
