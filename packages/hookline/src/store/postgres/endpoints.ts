import type { EndpointSecret } from '../../core/secrets.js';
import { keysetBefore, toPage } from '../paging.js';
import type { Endpoint, EndpointPatch, NewEndpoint, Page, PageRequest } from '../types.js';
import type { PostgresContext } from './context.js';
import { type EndpointRow, toEndpoint } from './rows.js';
import * as sql from './statements.js';
import { writeStats } from './stats.js';
import { withAppExclusive } from './app-lock.js';

export async function createEndpoint(ctx: PostgresContext, endpoint: NewEndpoint): Promise<Endpoint> {
  const secrets: EndpointSecret[] = [{ secret: endpoint.secret, expiresAt: null }];
  const [row] = await ctx.rows<EndpointRow>(sql.INSERT_ENDPOINT, [
    endpoint.id,
    endpoint.appId,
    endpoint.url,
    endpoint.description,
    endpoint.eventTypes,
    endpoint.disabled,
    endpoint.rateLimit,
    JSON.stringify(endpoint.headers),
    JSON.stringify(secrets),
    endpoint.createdAt,
  ]);
  return toEndpoint(row!);
}

export async function getEndpoint(ctx: PostgresContext, appId: string, endpointId: string): Promise<Endpoint | null> {
  const [row] = await ctx.rows<EndpointRow>(sql.GET_ENDPOINT, [appId, endpointId]);
  return row ? toEndpoint(row) : null;
}

export async function listEndpoints(ctx: PostgresContext, appId: string, page: PageRequest): Promise<Page<Endpoint>> {
  const { beforeAt, beforeId } = keysetBefore(page);
  const rows = await ctx.rows<EndpointRow>(sql.PAGE_ENDPOINTS, [appId, beforeAt, beforeId, page.limit + 1]);
  return toPage(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }), toEndpoint);
}

/**
 * Update with the row locked. Disabling parks the endpoint's waiting deliveries; re-enabling makes them
 * due and announces them, so every process's workers look at the queue at once.
 */
export function updateEndpoint(
  ctx: PostgresContext,
  appId: string,
  endpointId: string,
  patch: EndpointPatch,
): Promise<Endpoint | null> {
  return ctx.transaction(async (tx) => {
    const [row] = (await tx.query<EndpointRow>(sql.LOCK_ENDPOINT, [appId, endpointId])).rows;
    if (!row) return null;
    const current = toEndpoint(row);
    const disabled = patch.disabled ?? current.disabled;
    const { rows } = await tx.query<EndpointRow>(sql.UPDATE_ENDPOINT, [
      endpointId,
      patch.url ?? current.url,
      patch.description ?? current.description,
      patch.eventTypes ?? current.eventTypes,
      disabled,
      patch.rateLimit === undefined ? current.rateLimit : patch.rateLimit,
      JSON.stringify(patch.headers ?? current.headers),
      patch.updatedAt,
      // Re-enabling starts a fresh failure window for the auto-disable rule.
      current.disabled && !disabled ? null : current.failingSince,
    ]);
    if (!current.disabled && disabled) await tx.query(sql.PARK_ENDPOINTS_PENDING, [[endpointId]]);
    // Workers holding deliveries for it send them with its old details (or at all): they give them back.
    await tx.query(sql.NOTIFY_ENDPOINTS_CHANGED, [[endpointId]]);
    if (current.disabled && !disabled) {
      const unparked = await tx.query(sql.UNPARK_ENDPOINT_PENDING, [patch.updatedAt, endpointId]);
      if ((unparked.rowCount ?? 0) > 0) await tx.query(sql.NOTIFY_NEW_WORK);
    }
    return toEndpoint(rows[0]!);
  });
}

/** Soft-delete; its pending deliveries are given up (counted failed). */
export function deleteEndpoint(
  ctx: PostgresContext,
  appId: string,
  endpointId: string,
  now: number,
): Promise<number | null> {
  return withAppExclusive(ctx, appId, async (tx) => {
    const deleted = await tx.query(sql.DELETE_ENDPOINT, [now, appId, endpointId]);
    if ((deleted.rowCount ?? 0) === 0) return null;
    const given = await tx.query<{ app_id: string; created_at: number }>(sql.FAIL_ENDPOINT_PENDING, [
      now,
      endpointId,
    ]);
    await writeStats(tx, (stats) => {
      for (const d of given.rows) stats.add(d.app_id, endpointId, d.created_at, 0, 0, 1);
    });
    await tx.query(sql.NOTIFY_ENDPOINTS_CHANGED, [[endpointId]]);
    return given.rows.length;
  });
}
