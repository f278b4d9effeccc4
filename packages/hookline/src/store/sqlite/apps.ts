import { ConflictError } from '../errors.js';
import { toPage } from '../paging.js';
import type { App, AppPatch, NewApp, Page, PageRequest } from '../types.js';
import { keysetBefore, type SqliteContext } from './context.js';
import { type AppRow, toApp } from './rows.js';
import * as sql from './statements.js';

/** See DeliveryStore.createApp. */
export function createApp(ctx: SqliteContext, app: NewApp): Promise<App> {
  return ctx.write(() => {
    if (app.uid !== null && ctx.stmt(sql.FIND_APP).get({ ref: app.uid })) throw new ConflictError('uid');
    ctx.stmt(sql.INSERT_APP).run(app);
    return toApp(ctx.stmt(sql.FIND_APP).get({ ref: app.id }) as AppRow);
  });
}

/** See DeliveryStore.findApp; answered from the cache on the ingest path. */
export function findApp(ctx: SqliteContext, ref: string): App | null {
  const cached = ctx.cache.apps.get(ref);
  if (cached) return cached;
  const row = ctx.stmt(sql.FIND_APP).get({ ref }) as AppRow | undefined;
  if (!row) return null;
  const app = toApp(row);
  ctx.cache.apps.set(ref, app);
  return app;
}

export function listApps(ctx: SqliteContext, page: PageRequest): Page<App> {
  const rows = ctx.stmt(sql.PAGE_APPS).all({ ...keysetBefore(page), limit: page.limit + 1 }) as AppRow[];
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toApp);
}

export function updateApp(ctx: SqliteContext, appId: string, patch: AppPatch): Promise<App | null> {
  return ctx.write(() => {
    ctx.endpointsChanged();
    const row = ctx.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow | undefined;
    if (!row || row.id !== appId) return null;
    if (patch.uid) {
      const holder = ctx.stmt(sql.FIND_APP).get({ ref: patch.uid }) as AppRow | undefined;
      if (holder && holder.id !== appId) throw new ConflictError('uid');
    }
    ctx.stmt(sql.UPDATE_APP).run({
      id: appId,
      name: patch.name ?? row.name,
      uid: patch.uid === undefined ? row.uid : patch.uid,
      updatedAt: patch.updatedAt,
    });
    return toApp(ctx.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow);
  });
}

export function deleteApp(ctx: SqliteContext, appId: string): Promise<boolean> {
  return ctx.write(() => {
    ctx.endpointsChanged();
    const exists = ctx.stmt(sql.FIND_APP).get({ ref: appId }) as AppRow | undefined;
    if (!exists || exists.id !== appId) return false;
    for (const text of sql.DELETE_APP_ROWS) ctx.stmt(text).run(appId);
    return true;
  });
}
