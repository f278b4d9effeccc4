import type { TokenCreatedFallback, TokenCreateFallback } from '../pending-types.js';
import type { BodyOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

export type TokenCreate = BodyOf<'POST /v1/apps/{app}/tokens', TokenCreateFallback>;
/** An app-scoped token: `token` is shown only in this answer. */
export type TokenCreated = ResultOf<'POST /v1/apps/{app}/tokens', TokenCreatedFallback>;

/** App-scoped API tokens (admin-only): usable on the app's own `/v1/apps/{app}/…` routes. */
export class Tokens {
  constructor(private readonly transport: Transport) {}

  /** `POST /v1/apps/{app}/tokens`. */
  create(app: string, token: TokenCreate = {}, options?: RequestOptions): Promise<TokenCreated> {
    return this.transport.call('POST /v1/apps/{app}/tokens', { params: { app }, body: token }, options);
  }

  /** `DELETE /v1/apps/{app}/tokens/{id}`: revoked at once. */
  revoke(app: string, id: string, options?: RequestOptions): Promise<void> {
    return this.transport.call('DELETE /v1/apps/{app}/tokens/{id}', { params: { app, id } }, options);
  }
}
