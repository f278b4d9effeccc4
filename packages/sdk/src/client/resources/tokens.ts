import { type ItemOf, type PagedList, pagedList } from '../paged-list.js';
import type {
  ListQueryFallback,
  PageFallback,
  TokenCreatedFallback,
  TokenCreateFallback,
  TokenFallback,
} from '../pending-types.js';
import type { BodyOf, QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

export type TokenCreate = BodyOf<'POST /v1/apps/{app}/tokens', TokenCreateFallback>;
/** An app-scoped token: `token` is shown only in this answer. */
export type TokenCreated = ResultOf<'POST /v1/apps/{app}/tokens', TokenCreatedFallback>;
export type TokenListQuery = QueryOf<'GET /v1/apps/{app}/tokens', ListQueryFallback>;
/** A token as listed: its id and name, never the token itself. */
export type Token = ItemOf<ResultOf<'GET /v1/apps/{app}/tokens', PageFallback<TokenFallback>>>;

/** App-scoped API tokens (admin-only): usable on the app's own `/v1/apps/{app}/…` routes. */
export class Tokens {
  constructor(private readonly transport: Transport) {}

  /** `POST /v1/apps/{app}/tokens`. */
  create(app: string, token: TokenCreate = {}, options?: RequestOptions): Promise<TokenCreated> {
    return this.transport.call('POST /v1/apps/{app}/tokens', { params: { app }, body: token }, options);
  }

  /** `GET /v1/apps/{app}/tokens`, newest first, across pages. */
  list(app: string, query?: TokenListQuery, options?: RequestOptions): PagedList<Token> {
    return pagedList(this.transport, 'GET /v1/apps/{app}/tokens', { app }, query, options);
  }

  /** `DELETE /v1/apps/{app}/tokens/{token}` (`token` is the token's id): revoked at once. */
  revoke(app: string, token: string, options?: RequestOptions): Promise<void> {
    return this.transport.call('DELETE /v1/apps/{app}/tokens/{token}', { params: { app, token } }, options);
  }
}
