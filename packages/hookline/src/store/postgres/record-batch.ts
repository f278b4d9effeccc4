import type { RecordResult } from '../port.js';
import type { AttemptOutcome } from '../types.js';
import type { PgQueryable } from './driver.js';
import type { BatchContext } from './enqueue-batch.js';
import {
  DISABLE_ENDPOINTS,
  FINISH_DELIVERIES,
  NOTIFY_ENDPOINTS_CHANGED,
  PARK_ENDPOINTS_PENDING,
  UPDATE_ENDPOINT_FAILURES,
} from './statements.js';

/** One recordAttempts call: a worker's finished attempts. */
export interface RecordInput {
  workerId: string;
  outcomes: AttemptOutcome[];
}

interface EndpointState {
  failing_since: number | null;
  disabled: boolean;
}

/** Record every call of a unit, each fenced by its own worker's leases. */
export async function recordMany(
  tx: PgQueryable,
  inputs: RecordInput[],
  ctx: BatchContext,
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const input of inputs) results.push(await recordOne(tx, input, ctx));
  return results;
}

/**
 * A batch of outcomes in one statement when every attempt succeeded, else in two to four: move the
 * endpoints' failure runs on (and disable endpoints on 410 or the auto-disable rule), then finish the
 * deliveries whose lease still holds and insert exactly their attempts. A lost lease leaves no trace.
 */
async function recordOne(tx: PgQueryable, { workerId, outcomes }: RecordInput, ctx: BatchContext) {
  const result: RecordResult = { applied: [], leaseLost: [], disabledEndpoints: [], givenUp: [], resent: [] };
  if (outcomes.length === 0) return result;
  // Without failures nothing depends on the endpoints' state: their runs end inside FINISH_DELIVERIES.
  const anyFailure = outcomes.some((o) => o.attempt.status === 'failed');
  const states = anyFailure ? await updateFailureRuns(tx, outcomes) : new Map<string, EndpointState>();
  const recovered = anyFailure ? [] : [...new Set(outcomes.map((o) => o.endpointId))].sort();

  // Outcomes that disable their endpoint (410, or failing since before the auto-disable horizon).
  const triggers = new Set<AttemptOutcome>();
  const toDisable = new Set<string>();
  for (const outcome of outcomes) {
    const state = states.get(outcome.endpointId);
    if (!state || state.disabled || outcome.attempt.status !== 'failed') continue;
    const autoDisable =
      outcome.disableIfFailingSince !== null &&
      state.failing_since !== null &&
      state.failing_since <= outcome.disableIfFailingSince;
    if (outcome.disableEndpoint || autoDisable) {
      triggers.add(outcome);
      toDisable.add(outcome.endpointId);
    }
  }
  if (toDisable.size > 0) {
    const now = Math.max(...outcomes.map((o) => o.attempt.createdAt));
    const disabled = await tx.query<{ id: string }>(DISABLE_ENDPOINTS, [now, [...toDisable].sort()]);
    result.disabledEndpoints = disabled.rows.map((r) => r.id);
    if (result.disabledEndpoints.length > 0) {
      await tx.query(PARK_ENDPOINTS_PENDING, [result.disabledEndpoints]);
      await tx.query(NOTIFY_ENDPOINTS_CHANGED, [result.disabledEndpoints]);
    }
  }

  const finish = outcomes.map((outcome) => {
    const next = triggers.has(outcome) ? { kind: 'failed' as const } : outcome.next;
    const endpointDisabled =
      states.get(outcome.endpointId)?.disabled === true || toDisable.has(outcome.endpointId);
    return {
      status: next.kind === 'retry' ? 'pending' : next.kind,
      // A retry of a disabled endpoint waits, parked, until it is re-enabled.
      nextAttemptAt: next.kind === 'retry' && !endpointDisabled ? next.at : null,
      finishedAt: next.kind === 'retry' ? null : outcome.attempt.createdAt,
      // A resend asked for during the attempt waits too while the endpoint is disabled.
      honourResend: !endpointDisabled,
    };
  });
  const attempts = outcomes.map((o) => o.attempt);
  const done = await tx.query<{ id: string; created_at: number; resent: boolean }>(FINISH_DELIVERIES, [
    outcomes.map((o) => o.deliveryId),
    finish.map((f) => f.status),
    attempts.map((a) => a.attemptNumber),
    finish.map((f) => f.nextAttemptAt),
    finish.map((f) => f.finishedAt),
    workerId,
    attempts.map((a) => a.id),
    outcomes.map((o) => o.appId),
    outcomes.map((o) => o.messageId),
    outcomes.map((o) => o.endpointId),
    attempts.map((a) => a.attemptNumber),
    attempts.map((a) => a.status),
    attempts.map((a) => a.responseStatusCode),
    attempts.map((a) => a.responseBody),
    attempts.map((a) => a.durationMs),
    attempts.map((a) => a.error),
    attempts.map((a) => a.createdAt),
    recovered,
    finish.map((f) => f.honourResend),
  ]);
  const doneRows = new Map(done.rows.map((r) => [r.id, r]));
  outcomes.forEach((outcome, i) => {
    const row = doneRows.get(outcome.deliveryId);
    if (row === undefined) return void result.leaseLost.push(outcome.deliveryId);
    result.applied.push(outcome.deliveryId);
    const created = row.created_at;
    if (row.resent) {
      result.resent.push(outcome.deliveryId); // still pending: counted when the resend finishes
    } else if (finish[i]!.status === 'succeeded') {
      ctx.stats.add(outcome.appId, outcome.endpointId, created, 0, 1, 0);
      ctx.stats.delay(outcome.appId, outcome.endpointId, created, outcome.attempt.createdAt - outcome.messageTimestamp);
    } else if (finish[i]!.status === 'failed') {
      ctx.stats.add(outcome.appId, outcome.endpointId, created, 0, 0, 1);
      if (outcome.next.kind === 'retry') result.givenUp.push(outcome.deliveryId);
    }
  });
  return result;
}

/**
 * Per endpoint, from its outcomes in time order: a success restarts the failure run at the first
 * failure after the last success (or ends it); failures alone start a run unless one is under way.
 */
async function updateFailureRuns(
  tx: PgQueryable,
  outcomes: AttemptOutcome[],
): Promise<Map<string, EndpointState>> {
  const byEndpoint = new Map<string, AttemptOutcome[]>();
  for (const o of outcomes) {
    const list = byEndpoint.get(o.endpointId);
    if (list) list.push(o);
    else byEndpoint.set(o.endpointId, [o]);
  }
  const ids = [...byEndpoint.keys()].sort(); // one lock order for every process
  const resets: boolean[] = [];
  const ats: Array<number | null> = [];
  for (const id of ids) {
    const list = byEndpoint.get(id)!.sort((a, b) => a.attempt.createdAt - b.attempt.createdAt);
    let lastSuccess = -1;
    list.forEach((o, i) => {
      if (o.attempt.status === 'succeeded') lastSuccess = i;
    });
    const firstFailure = list.slice(lastSuccess + 1).find((o) => o.attempt.status === 'failed');
    resets.push(lastSuccess >= 0);
    ats.push(firstFailure?.attempt.createdAt ?? null);
  }
  const updated = await tx.query<{ id: string } & EndpointState>(UPDATE_ENDPOINT_FAILURES, [ids, resets, ats]);
  return new Map(updated.rows.map((r) => [r.id, r]));
}
