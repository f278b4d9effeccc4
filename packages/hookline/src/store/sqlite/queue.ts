import type { EndpointSecret } from '../../core/secrets.js';
import { type ClaimedRow, toClaimed } from '../rows.js';
import type { RecordResult } from '../port.js';
import type { AttemptOutcome, ClaimedDelivery } from '../types.js';
import { HOT_PATH, type SqliteContext } from './context.js';
import * as sql from './statements.js';

/** ClaimedRow as SQLite returns it: headers and secrets as JSON text. */
type SqliteClaimedRow = Omit<ClaimedRow, 'headers' | 'secrets'> & { headers: string; secrets: string };

/** See DeliveryStore.claimDueDeliveries. */
export function claimDueDeliveries(
  ctx: SqliteContext,
  workerId: string,
  now: number,
  limit: number,
  leaseUntil: number,
): Promise<ClaimedDelivery[]> {
  return ctx.write(() => {
    const ids = (
      ctx.stmt(sql.CLAIM_DUE).all({ workerId, until: leaseUntil, now, limit }) as Array<{ id: string }>
    ).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = ctx.stmt(sql.CLAIMED_DETAILS).all(JSON.stringify(ids)) as SqliteClaimedRow[];
    return rows.map((r) =>
      toClaimed(
        {
          ...r,
          headers: JSON.parse(r.headers) as Record<string, string>,
          secrets: JSON.parse(r.secrets) as EndpointSecret[],
        },
        now,
      ),
    );
  }, HOT_PATH);
}

/** See DeliveryStore.recordAttempts: every write fenced by the worker's lease. */
export function recordAttempts(
  ctx: SqliteContext,
  workerId: string,
  outcomes: AttemptOutcome[],
): Promise<RecordResult> {
  return ctx.write(() => {
    const result: RecordResult = { applied: [], leaseLost: [], disabledEndpoints: [], givenUp: [], resent: [] };
    for (const outcome of outcomes) recordNow(ctx, workerId, outcome, result);
    return result;
  }, HOT_PATH);
}

function recordNow(ctx: SqliteContext, workerId: string, outcome: AttemptOutcome, result: RecordResult): void {
  const { attempt } = outcome;
  const healthy = ctx.cache.healthy;
  let next = outcome.next;
  let endpointDisabled = false;
  if (attempt.status === 'succeeded') {
    if (!healthy.has(outcome.endpointId)) {
      ctx.stmt(sql.ENDPOINT_SUCCEEDED).run(outcome.endpointId);
      healthy.add(outcome.endpointId);
    }
  } else {
    healthy.delete(outcome.endpointId);
    const state = ctx.stmt(sql.ENDPOINT_FAILED).get(attempt.createdAt, outcome.endpointId) as
      | { failing_since: number; disabled: number }
      | undefined;
    endpointDisabled = state?.disabled === 1;
    const autoDisable =
      state !== undefined &&
      outcome.disableIfFailingSince !== null &&
      state.failing_since <= outcome.disableIfFailingSince;
    if (state && !endpointDisabled && (outcome.disableEndpoint || autoDisable)) {
      if (ctx.stmt(sql.DISABLE_ENDPOINT).run(attempt.createdAt, outcome.endpointId).changes > 0) {
        ctx.endpointsChanged();
        ctx.stmt(sql.PARK_ENDPOINT_PENDING).run(outcome.endpointId);
        result.disabledEndpoints.push(outcome.endpointId);
      }
      endpointDisabled = true;
      next = { kind: 'failed' };
    }
  }
  const finished = next.kind !== 'retry';
  // A resend asked for during the attempt waits, like the rest, while the endpoint is disabled.
  if (endpointDisabled) ctx.stmt(sql.FORGET_RESEND).run(outcome.deliveryId);
  const updated = ctx.stmt(sql.FINISH_DELIVERY).get(
    next.kind === 'retry' ? 'pending' : next.kind,
    attempt.attemptNumber,
    // A retry of a disabled endpoint waits, parked, until it is re-enabled.
    next.kind === 'retry' ? (endpointDisabled ? null : next.at) : null,
    finished ? attempt.createdAt : null,
    attempt.attemptNumber,
    outcome.deliveryId,
    workerId,
  ) as { created_at: number; resent: number } | undefined;
  if (!updated) {
    result.leaseLost.push(outcome.deliveryId);
    return;
  }
  ctx.stmt(sql.INSERT_ATTEMPT).run(
    attempt.id,
    outcome.appId,
    attempt.messageId,
    attempt.endpointId,
    outcome.deliveryId,
    attempt.attemptNumber,
    attempt.status,
    attempt.responseStatusCode,
    attempt.responseBody,
    attempt.durationMs,
    attempt.error,
    attempt.createdAt,
  );
  if (updated.resent === 1) {
    result.resent.push(outcome.deliveryId); // still pending: counted when the resend finishes
  } else if (next.kind === 'succeeded') {
    ctx.stats.add(outcome.appId, outcome.endpointId, updated.created_at, 0, 1, 0);
    ctx.stats.delay(
      outcome.appId,
      outcome.endpointId,
      updated.created_at,
      attempt.createdAt - outcome.messageTimestamp,
    );
  } else if (next.kind === 'failed') {
    ctx.stats.add(outcome.appId, outcome.endpointId, updated.created_at, 0, 0, 1);
    if (outcome.next.kind === 'retry') result.givenUp.push(outcome.deliveryId);
  }
  result.applied.push(outcome.deliveryId);
}

export function extendLeases(
  ctx: SqliteContext,
  workerId: string,
  deliveryIds: string[],
  leaseUntil: number,
): Promise<void> {
  if (deliveryIds.length === 0) return Promise.resolve();
  return ctx.write(() => {
    ctx.stmt(sql.EXTEND_LEASES).run(leaseUntil, leaseUntil, JSON.stringify(deliveryIds), workerId);
  }, HOT_PATH);
}

/** Hand back every lease in the file (they all belong to this process's one delivery thread), due at `now`. */
export function releaseAllLeases(ctx: SqliteContext, now: number): Promise<void> {
  return ctx.write(() => {
    ctx.stmt(sql.RELEASE_ALL_LEASES).run(now);
  }, HOT_PATH);
}

export function releaseLeases(
  ctx: SqliteContext,
  workerId: string,
  deliveryIds: string[],
  dueAt?: number,
): Promise<void> {
  if (deliveryIds.length === 0) return Promise.resolve();
  return ctx.write(() => {
    ctx.stmt(sql.RELEASE_LEASES).run(dueAt ?? Date.now(), JSON.stringify(deliveryIds), workerId);
  }, HOT_PATH);
}
