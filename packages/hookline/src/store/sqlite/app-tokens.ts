import { toPage } from '../paging.js';
import type { AppToken, NewAppToken, Page, PageRequest } from '../types.js';
import { type SqliteContext, keysetBefore } from './context.js';
import { type AppTokenRow, toAppToken } from './rows.js';
import * as sql from './statements-manage.js';

/** App-scoped API tokens on SQLite: only the SHA-256 is stored, looked up by its unique index. */
export function createAppToken(ctx: SqliteContext, token: NewAppToken): Promise<AppToken> {
  return ctx.write(() => {
    ctx.stmt(sql.INSERT_APP_TOKEN).run(token);
    return { id: token.id, appId: token.appId, name: token.name, createdAt: token.createdAt };
  });
}

export function findAppTokenByHash(ctx: SqliteContext, tokenHash: string): AppToken | null {
  const row = ctx.stmt(sql.FIND_APP_TOKEN_BY_HASH).get(tokenHash) as AppTokenRow | undefined;
  return row ? toAppToken(row) : null;
}

export function listAppTokens(ctx: SqliteContext, appId: string, page: PageRequest): Page<AppToken> {
  const rows = ctx.stmt(sql.PAGE_APP_TOKENS).all({
    appId,
    ...keysetBefore(page),
    limit: page.limit + 1,
  }) as AppTokenRow[];
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toAppToken);
}

export function revokeAppToken(ctx: SqliteContext, appId: string, tokenId: string): Promise<boolean> {
  return ctx.write(() => ctx.stmt(sql.DELETE_APP_TOKEN).run(appId, tokenId).changes > 0);
}
