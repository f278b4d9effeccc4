import { keysetBefore, toPage } from '../paging.js';
import type { AppToken, NewAppToken, Page, PageRequest } from '../types.js';
import type { PostgresContext } from './context.js';
import type { PgQueryable } from './driver.js';
import { type AppTokenRow, toAppToken } from './rows.js';
import * as sql from './statements-manage.js';

/** App-scoped API tokens on PostgreSQL: only the SHA-256 is stored, looked up by its unique index. */
export async function createAppToken(ctx: PostgresContext, token: NewAppToken): Promise<AppToken> {
  await ctx.rows(sql.INSERT_APP_TOKEN, [token.id, token.appId, token.name, token.tokenHash, token.createdAt]);
  return { id: token.id, appId: token.appId, name: token.name, createdAt: token.createdAt };
}

/** Live tokens by hash, for a batch of lookups (every request with an app token asks). */
export async function findAppTokensByHash(tx: PgQueryable, hashes: string[]): Promise<Map<string, AppToken>> {
  const { rows } = await tx.query<AppTokenRow & { token_hash: string }>(sql.FIND_APP_TOKENS_BY_HASH, [hashes]);
  return new Map(rows.map((r) => [r.token_hash, toAppToken(r)]));
}

export async function listAppTokens(ctx: PostgresContext, appId: string, page: PageRequest): Promise<Page<AppToken>> {
  const { beforeAt, beforeId } = keysetBefore(page);
  const rows = await ctx.rows<AppTokenRow>(sql.PAGE_APP_TOKENS, [appId, beforeAt, beforeId, page.limit + 1]);
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toAppToken);
}

export async function revokeAppToken(ctx: PostgresContext, appId: string, tokenId: string): Promise<boolean> {
  const deleted = await ctx.transaction((tx) => tx.query(sql.DELETE_APP_TOKEN, [appId, tokenId]));
  return (deleted.rowCount ?? 0) > 0;
}
