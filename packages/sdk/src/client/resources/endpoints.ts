import { type ItemOf, type PagedList, pagedList } from '../paged-list.js';
import type { RecoverFallback, RotateSecretFallback, StatsQueryFallback } from '../pending-types.js';
import type { BodyOf, QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

/** A URL an app registered, with its event-type filter, limits and enabled flag. */
export type Endpoint = ResultOf<'GET /v1/apps/{app}/endpoints/{ep}'>;
export type EndpointCreate = BodyOf<'POST /v1/apps/{app}/endpoints'>;
export type EndpointUpdate = BodyOf<'PATCH /v1/apps/{app}/endpoints/{ep}'>;
export type EndpointListQuery = QueryOf<'GET /v1/apps/{app}/endpoints'>;
export type EndpointSecret = ResultOf<'GET /v1/apps/{app}/endpoints/{ep}/secret'>;
export type RotateSecret = BodyOf<'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate', RotateSecretFallback>;
export type Recover = BodyOf<'POST /v1/apps/{app}/endpoints/{ep}/recover', RecoverFallback>;
export type EndpointStatsQuery = QueryOf<'GET /v1/apps/{app}/endpoints/{ep}/stats', StatsQueryFallback>;

/** An app's endpoints: `app` is the app's id or uid, `ep` the endpoint's id. */
export class Endpoints {
  constructor(private readonly transport: Transport) {}

  /** `POST /v1/apps/{app}/endpoints`. */
  create(
    app: string,
    endpoint: EndpointCreate,
    options?: RequestOptions,
  ): Promise<ResultOf<'POST /v1/apps/{app}/endpoints'>> {
    return this.transport.call('POST /v1/apps/{app}/endpoints', { params: { app }, body: endpoint }, options);
  }

  /** `GET /v1/apps/{app}/endpoints`, newest first, across pages. */
  list(
    app: string,
    query?: EndpointListQuery,
    options?: RequestOptions,
  ): PagedList<ItemOf<ResultOf<'GET /v1/apps/{app}/endpoints'>>> {
    return pagedList(this.transport, 'GET /v1/apps/{app}/endpoints', { app }, query, options);
  }

  /** `GET /v1/apps/{app}/endpoints/{ep}`. */
  get(app: string, ep: string, options?: RequestOptions): Promise<Endpoint> {
    return this.transport.call('GET /v1/apps/{app}/endpoints/{ep}', { params: { app, ep } }, options);
  }

  /** `PATCH /v1/apps/{app}/endpoints/{ep}`; `{ disabled: false }` re-enables it. */
  update(
    app: string,
    ep: string,
    changes: EndpointUpdate,
    options?: RequestOptions,
  ): Promise<ResultOf<'PATCH /v1/apps/{app}/endpoints/{ep}'>> {
    return this.transport.call(
      'PATCH /v1/apps/{app}/endpoints/{ep}',
      { params: { app, ep }, body: changes },
      options,
    );
  }

  /** `DELETE /v1/apps/{app}/endpoints/{ep}`. */
  delete(app: string, ep: string, options?: RequestOptions): Promise<void> {
    return this.transport.call('DELETE /v1/apps/{app}/endpoints/{ep}', { params: { app, ep } }, options);
  }

  /** `GET /v1/apps/{app}/endpoints/{ep}/secret`: `{ secret: 'whsec_…' }`, for the receiver. */
  secret(app: string, ep: string, options?: RequestOptions): Promise<EndpointSecret> {
    return this.transport.call('GET /v1/apps/{app}/endpoints/{ep}/secret', { params: { app, ep } }, options);
  }

  /** `POST …/secret/rotate`: a new secret (given or generated); the old one still signs for 24 h. */
  rotateSecret(
    app: string,
    ep: string,
    rotation: RotateSecret = {},
    options?: RequestOptions,
  ): Promise<ResultOf<'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate', void>> {
    return this.transport.call(
      'POST /v1/apps/{app}/endpoints/{ep}/secret/rotate',
      { params: { app, ep }, body: rotation },
      options,
    );
  }

  /** `POST …/recover`: re-send every delivery to this endpoint that failed since `since`. */
  recover(
    app: string,
    ep: string,
    recovery: Recover,
    options?: RequestOptions,
  ): Promise<ResultOf<'POST /v1/apps/{app}/endpoints/{ep}/recover', unknown>> {
    return this.transport.call(
      'POST /v1/apps/{app}/endpoints/{ep}/recover',
      { params: { app, ep }, body: recovery },
      options,
    );
  }

  /** `GET …/stats`: Count, Success rate and Delay of this endpoint's deliveries. */
  stats(
    app: string,
    ep: string,
    query?: EndpointStatsQuery,
    options?: RequestOptions,
  ): Promise<ResultOf<'GET /v1/apps/{app}/endpoints/{ep}/stats', ResultOf<'GET /v1/apps/{app}/stats'>>> {
    return this.transport.call(
      'GET /v1/apps/{app}/endpoints/{ep}/stats',
      { params: { app, ep }, query },
      options,
    );
  }
}
