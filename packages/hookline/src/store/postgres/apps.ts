import { ConflictError } from '../errors.js';
import { keysetBefore, toPage } from '../paging.js';
import type { App, AppPatch, NewApp, Page, PageRequest } from '../types.js';
import type { PostgresContext } from './context.js';
import type { PgQueryable } from './driver.js';
import { type AppRow, toApp } from './rows.js';
import * as sql from './statements.js';
import { withAppExclusive } from './app-lock.js';

const UNIQUE_VIOLATION = '23505';

/** A unique violation on apps.uid is the caller's conflict, not the database's failure. */
function uidConflict(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string };
  return e.code === UNIQUE_VIOLATION && e.constraint === 'apps_uid_key' ? new ConflictError('uid') : error;
}

export async function createApp(ctx: PostgresContext, app: NewApp): Promise<App> {
  try {
    const [row] = await ctx.rows<AppRow>(sql.INSERT_APP, [app.id, app.name, app.uid, app.createdAt]);
    return toApp(row!);
  } catch (error) {
    throw uidConflict(error);
  }
}

/** Apps by id or uid, one answer per ref; an id wins over a uid (the API keeps them apart anyway). */
export async function findApps(tx: PgQueryable, refs: string[]): Promise<Array<App | null>> {
  const { rows } = await tx.query<AppRow>(sql.FIND_APPS, [[...new Set(refs)]]);
  const found = new Map<string, App>();
  for (const row of rows) if (row.uid !== null) found.set(row.uid, toApp(row));
  for (const row of rows) found.set(row.id, toApp(row));
  return refs.map((ref) => found.get(ref) ?? null);
}

export async function listApps(ctx: PostgresContext, page: PageRequest): Promise<Page<App>> {
  const { beforeAt, beforeId } = keysetBefore(page);
  const rows = await ctx.rows<AppRow>(sql.PAGE_APPS, [beforeAt, beforeId, page.limit + 1]);
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toApp);
}

export function updateApp(ctx: PostgresContext, appId: string, patch: AppPatch): Promise<App | null> {
  return ctx.transaction(async (tx) => {
    const [current] = (await tx.query<AppRow>(sql.LOCK_APP, [appId])).rows;
    if (!current) return null;
    const uid = patch.uid === undefined ? current.uid : patch.uid;
    try {
      const { rows } = await tx.query<AppRow>(sql.UPDATE_APP, [appId, patch.name ?? current.name, uid, patch.updatedAt]);
      return toApp(rows[0]!);
    } catch (error) {
      throw uidConflict(error);
    }
  });
}

/** Remove an app and everything it owns, in one transaction. */
export function deleteApp(ctx: PostgresContext, appId: string): Promise<boolean> {
  return withAppExclusive(ctx, appId, async (tx) => {
    if ((await tx.query(sql.LOCK_APP, [appId])).rows.length === 0) return false;
    for (const text of sql.DELETE_APP_ROWS) await tx.query(text, [appId]);
    await tx.query(sql.DELETE_APP, [appId]);
    await tx.query(sql.NOTIFY_ENDPOINTS_CHANGED, [[appId]]); // workers drop what they hold for its endpoints
    return true;
  });
}
