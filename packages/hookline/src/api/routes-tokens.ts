import { isId, newId } from '../core/ids.js';
import { newAppToken, tokenHash } from '../core/tokens.js';
import type { ApiDeps } from './deps.js';
import { HttpError } from './errors.js';
import { loadApp, pageRequest } from './lookup.js';
import { presentToken } from './present.js';
import type { DefineRoute } from './route.js';
import { ListQuery, pageOf, TokenCreate, TokenCreated, TokenOut } from './schemas.js';

/**
 * App-scoped API tokens: the admin hands one to a tenant, who can then use its own app's routes only.
 * The token is shown once; the store keeps its SHA-256.
 */
export function tokenRoutes(route: DefineRoute, deps: ApiDeps): void {
  route({
    method: 'post',
    path: '/v1/apps/{app}/tokens',
    summary: 'Create an app-scoped API token (shown only in this answer)',
    tag: 'Tokens',
    access: 'admin',
    body: TokenCreate,
    bodyOptional: true,
    responses: { 201: { description: 'Created', schema: TokenCreated } },
    handler: async ({ params, principal, body, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const now = deps.clock();
      const token = newAppToken();
      const created = await deps.store.createAppToken({
        id: newId('tok', now),
        appId: app.id,
        name: body.name ?? '',
        tokenHash: tokenHash(token),
        createdAt: now,
      });
      return c.json({ ...presentToken(created), token }, 201);
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/tokens',
    summary: "List an app's tokens, newest first (never the tokens themselves)",
    tag: 'Tokens',
    access: 'admin',
    query: ListQuery,
    responses: { 200: { description: 'A page of tokens', schema: pageOf(TokenOut, 'AppTokenPage') } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const page = await deps.store.listAppTokens(app.id, pageRequest(query, 'tok'));
      return c.json({ ...page, data: page.data.map(presentToken) });
    },
  });
  route({
    method: 'delete',
    path: '/v1/apps/{app}/tokens/{token}',
    summary: 'Revoke an app token; it stops working at once',
    tag: 'Tokens',
    access: 'admin',
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ params, principal, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const id = params.token!;
      const revoked = isId(id, 'tok') && (await deps.store.revokeAppToken(app.id, id));
      if (!revoked) throw new HttpError('token_not_found', `no token ${JSON.stringify(id)} in app ${app.id}`);
      return c.body(null, 204);
    },
  });
}
