import type { EndpointSecret } from '../../core/secrets.js';
import { toPage } from '../paging.js';
import type { Endpoint, EndpointPatch, NewEndpoint, Page, PageRequest } from '../types.js';
import { keysetBefore, type SqliteContext } from './context.js';
import { type EndpointRow, toEndpoint } from './rows.js';
import * as sql from './statements.js';

/** See DeliveryStore.createEndpoint. */
export function createEndpoint(ctx: SqliteContext, endpoint: NewEndpoint): Promise<Endpoint> {
  const secrets: EndpointSecret[] = [{ secret: endpoint.secret, expiresAt: null }];
  return ctx.write(() => {
    ctx.endpointsChanged();
    ctx.stmt(sql.INSERT_ENDPOINT).run({
      id: endpoint.id,
      appId: endpoint.appId,
      url: endpoint.url,
      description: endpoint.description,
      eventTypes: JSON.stringify(endpoint.eventTypes),
      disabled: endpoint.disabled ? 1 : 0,
      rateLimit: endpoint.rateLimit,
      headers: JSON.stringify(endpoint.headers),
      secrets: JSON.stringify(secrets),
      createdAt: endpoint.createdAt,
    });
    return toEndpoint(ctx.stmt(sql.GET_ENDPOINT).get(endpoint.appId, endpoint.id) as EndpointRow);
  });
}

export function getEndpoint(ctx: SqliteContext, appId: string, endpointId: string): Endpoint | null {
  const row = ctx.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
  return row ? toEndpoint(row) : null;
}

export function listEndpoints(ctx: SqliteContext, appId: string, page: PageRequest): Page<Endpoint> {
  const rows = ctx.stmt(sql.PAGE_ENDPOINTS).all({
    appId,
    ...keysetBefore(page),
    limit: page.limit + 1,
  }) as EndpointRow[];
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toEndpoint);
}

/** See DeliveryStore.updateEndpoint: disabling parks its pending deliveries, re-enabling makes them due. */
export function updateEndpoint(
  ctx: SqliteContext,
  appId: string,
  endpointId: string,
  patch: EndpointPatch,
): Promise<Endpoint | null> {
  return ctx.write(() => {
    ctx.endpointsChanged();
    const row = ctx.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
    if (!row) return null;
    const current = toEndpoint(row);
    const disabled = patch.disabled ?? current.disabled;
    ctx.stmt(sql.UPDATE_ENDPOINT).run({
      id: endpointId,
      url: patch.url ?? current.url,
      description: patch.description ?? current.description,
      eventTypes: JSON.stringify(patch.eventTypes ?? current.eventTypes),
      disabled: disabled ? 1 : 0,
      rateLimit: patch.rateLimit === undefined ? current.rateLimit : patch.rateLimit,
      headers: JSON.stringify(patch.headers ?? current.headers),
      updatedAt: patch.updatedAt,
      // Re-enabling starts a fresh failure window for the auto-disable rule.
      failingSince: current.disabled && !disabled ? null : current.failingSince,
    });
    if (!current.disabled && disabled) ctx.stmt(sql.PARK_ENDPOINT_PENDING).run(endpointId);
    if (current.disabled && !disabled) ctx.stmt(sql.UNPARK_ENDPOINT_PENDING).run(patch.updatedAt, endpointId);
    return toEndpoint(ctx.stmt(sql.GET_ENDPOINT).get(appId, endpointId) as EndpointRow);
  });
}

/** See DeliveryStore.deleteEndpoint: its pending deliveries are given up (counted failed). */
export function deleteEndpoint(
  ctx: SqliteContext,
  appId: string,
  endpointId: string,
  now: number,
): Promise<number | null> {
  return ctx.write(() => {
    ctx.endpointsChanged();
    if (ctx.stmt(sql.DELETE_ENDPOINT).run(now, appId, endpointId).changes === 0) return null;
    const given = ctx.stmt(sql.FAIL_ENDPOINT_PENDING).all(now, endpointId) as Array<{
      app_id: string;
      created_at: number;
    }>;
    for (const d of given) ctx.stats.add(d.app_id, endpointId, d.created_at, 0, 0, 1);
    return given.length;
  });
}
