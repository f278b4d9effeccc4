import { type ItemOf, type PagedList, pagedList } from '../paged-list.js';
import type { BodyOf, QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

/** An app: one tenant of the platform. */
export type App = ResultOf<'GET /v1/apps/{app}'>;
export type AppCreate = BodyOf<'POST /v1/apps'>;
export type AppUpdate = BodyOf<'PATCH /v1/apps/{app}'>;
export type AppListQuery = QueryOf<'GET /v1/apps'>;

/** Apps (tenants). `app` arguments take the app's id (`app_…`) or its `uid`. Writing is admin-only. */
export class Apps {
  constructor(private readonly transport: Transport) {}

  /** `POST /v1/apps`. */
  create(app: AppCreate, options?: RequestOptions): Promise<ResultOf<'POST /v1/apps'>> {
    return this.transport.call('POST /v1/apps', { params: {}, body: app }, options);
  }

  /** `GET /v1/apps`, newest first, across pages. */
  list(query?: AppListQuery, options?: RequestOptions): PagedList<ItemOf<ResultOf<'GET /v1/apps'>>> {
    return pagedList(this.transport, 'GET /v1/apps', {}, query, options);
  }

  /** `GET /v1/apps/{app}`. */
  get(app: string, options?: RequestOptions): Promise<App> {
    return this.transport.call('GET /v1/apps/{app}', { params: { app } }, options);
  }

  /** `PATCH /v1/apps/{app}`. */
  update(
    app: string,
    changes: AppUpdate,
    options?: RequestOptions,
  ): Promise<ResultOf<'PATCH /v1/apps/{app}'>> {
    return this.transport.call('PATCH /v1/apps/{app}', { params: { app }, body: changes }, options);
  }

  /** `DELETE /v1/apps/{app}`: the app with its endpoints, messages and attempts. */
  delete(app: string, options?: RequestOptions): Promise<void> {
    return this.transport.call('DELETE /v1/apps/{app}', { params: { app } }, options);
  }
}
