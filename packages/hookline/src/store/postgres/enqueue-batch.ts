import { endpointWantsEvent } from '../../core/envelope.js';
import { activeSecrets } from '../../core/secrets.js';
import type { StatsAccumulator } from '../stats-accumulator.js';
import type { ClaimedDelivery, EndpointSecret, EnqueueInput, EnqueueResult } from '../types.js';
import type { PgQueryable } from './driver.js';
import { type MessageRow, toMessage } from './rows.js';
import {
  INSERT_DELIVERIES,
  INSERT_MESSAGES,
  LOCK_APPS_SHARED,
  MESSAGES_BY_EVENT_IDS,
  TRY_LOCK_EVENTS,
} from './statements.js';

/** What a batch needs from the store around it. */
export interface BatchContext {
  stats: StatsAccumulator;
  /** Some deliveries of this unit are due now and leased to nobody: NOTIFY at commit. */
  announceNewWork(): void;
}

interface TargetRow {
  id: string;
  app_id: string;
  url: string;
  event_types: string[];
  headers: Record<string, string>;
  secrets: EndpointSecret[];
  rate_limit: number | null;
}

/** INSERT_MESSAGES answers with new message ids and the apps' enabled endpoints in one result. */
type InsertRow = { kind: 'message'; id: string } | ({ kind: 'endpoint' } & TargetRow);

const eventKey = (appId: string, eventId: string) => `${appId}\u0000${eventId}`;

/**
 * The answer for a message whose eventId another transaction holds (a platform's transaction that called
 * hookline.send_message with it and has not committed): it was not stored; the store asks again shortly.
 */
export const EVENT_ID_BUSY = Symbol('eventId held by an uncommitted transaction');
export type EnqueueOutcome = EnqueueResult | null | typeof EVENT_ID_BUSY;

/**
 * Store a unit's messages with two or three multi-row statements: insert the messages (a known
 * (app, eventId) is skipped) while reading the apps' enabled endpoints, read the existing messages for
 * known eventIds, insert every delivery. A repeated eventId inside the batch answers with its first message;
 * a message for an app that no longer exists is not stored and answers null.
 */
export async function enqueueMany(
  tx: PgQueryable,
  inputs: EnqueueInput[],
  ctx: BatchContext,
): Promise<EnqueueOutcome[]> {
  const firstOfEvent = new Map<string, number>();
  let primaries: number[] = [];
  const followerOf = new Map<number, number>();
  inputs.forEach(({ message }, i) => {
    if (message.eventId === null) return void primaries.push(i);
    const key = eventKey(message.appId, message.eventId);
    const first = firstOfEvent.get(key);
    if (first === undefined) {
      firstOfEvent.set(key, i);
      primaries.push(i);
    } else {
      followerOf.set(i, first);
    }
  });

  // A message neither inserted nor known by its eventId belongs to an app that no longer exists: null.
  const results: EnqueueOutcome[] = new Array(inputs.length).fill(null);
  for (const i of await heldElsewhere(tx, inputs, primaries)) results[i] = EVENT_ID_BUSY;
  if (results.includes(EVENT_ID_BUSY)) primaries = primaries.filter((i) => results[i] !== EVENT_ID_BUSY);

  const messages = primaries.map((i) => inputs[i]!.message);
  // The apps' locks are sent together with the insert (pipelined, no round trip of its own); the insert, a
  // statement of its own, reads the apps' endpoints only once a delete of one of them has committed.
  const [, inserted] = await Promise.all([
    tx.query(LOCK_APPS_SHARED, [[...new Set(messages.map((m) => m.appId))]]),
    tx.query<InsertRow>(INSERT_MESSAGES, [
      messages.map((m) => m.id),
      messages.map((m) => m.appId),
      messages.map((m) => m.eventType),
      messages.map((m) => m.eventId),
      messages.map((m) => m.payload),
      messages.map((m) => m.timestamp),
    ]),
  ]);
  const created = new Set<string>();
  const endpointsOfApp = new Map<string, TargetRow[]>();
  for (const row of inserted.rows) {
    if (row.kind === 'message') {
      created.add(row.id);
      continue;
    }
    const list = endpointsOfApp.get(row.app_id);
    if (list) list.push(row);
    else endpointsOfApp.set(row.app_id, [row]);
  }
  const known = messages.filter((m) => !created.has(m.id));
  if (known.length > 0) {
    const existing = await tx.query<MessageRow>(MESSAGES_BY_EVENT_IDS, [
      known.map((m) => m.appId),
      known.map((m) => m.eventId),
    ]);
    const byKey = new Map(existing.rows.map((r) => [eventKey(r.app_id, r.event_id!), r]));
    for (const i of primaries) {
      const { message } = inputs[i]!;
      if (created.has(message.id)) continue;
      const row = byKey.get(eventKey(message.appId, message.eventId!));
      if (row) results[i] = { message: toMessage(row), created: false, leased: [] };
    }
  }

  const fresh = primaries.filter((i) => created.has(inputs[i]!.message.id));
  if (fresh.length > 0) {
    await insertDeliveries(tx, endpointsOfApp, fresh.map((i) => inputs[i]!), fresh, results, ctx);
  }
  for (const [i, first] of followerOf) {
    const primary = results[first]!;
    results[i] =
      primary === EVENT_ID_BUSY || primary === null ? primary : { message: primary.message, created: false, leased: [] };
  }
  return results;
}

/**
 * Positions (among `primaries`) of messages whose (app, eventId) lock another transaction holds. Tried, not
 * waited for: the unique index would otherwise hold this unit, and every write of the process queued
 * behind it, until that transaction ends (up to the statement timeout). Units without eventIds skip it.
 */
async function heldElsewhere(tx: PgQueryable, inputs: EnqueueInput[], primaries: number[]): Promise<number[]> {
  const keyed = primaries.filter((i) => inputs[i]!.message.eventId !== null);
  if (keyed.length === 0) return [];
  const { rows } = await tx.query<{ locked: boolean }>(TRY_LOCK_EVENTS, [
    keyed.map((i) => inputs[i]!.message.appId),
    keyed.map((i) => inputs[i]!.message.eventId),
  ]);
  return keyed.filter((_, n) => !rows[n]!.locked);
}

async function insertDeliveries(
  tx: PgQueryable,
  byApp: Map<string, TargetRow[]>,
  fresh: EnqueueInput[],
  positions: number[],
  results: EnqueueOutcome[],
  ctx: BatchContext,
): Promise<void> {
  const columns = {
    id: [] as string[],
    appId: [] as string[],
    messageId: [] as string[],
    endpointId: [] as string[],
    nextAttemptAt: [] as number[],
    lockedBy: [] as Array<string | null>,
    lockedUntil: [] as Array<number | null>,
    createdAt: [] as number[],
  };
  let unleased = false;
  fresh.forEach(({ message, leaseTo, newDeliveryId }, n) => {
    const leased: ClaimedDelivery[] = [];
    for (const endpoint of byApp.get(message.appId) ?? []) {
      if (!endpointWantsEvent(endpoint.event_types, message.eventType)) continue;
      const id = newDeliveryId();
      columns.id.push(id);
      columns.appId.push(message.appId);
      columns.messageId.push(message.id);
      columns.endpointId.push(endpoint.id);
      columns.nextAttemptAt.push(leaseTo ? leaseTo.until : message.timestamp);
      columns.lockedBy.push(leaseTo?.workerId ?? null);
      columns.lockedUntil.push(leaseTo?.until ?? null);
      columns.createdAt.push(message.timestamp);
      ctx.stats.add(message.appId, endpoint.id, message.timestamp, 1, 0, 0);
      if (!leaseTo) {
        unleased = true;
        continue;
      }
      leased.push({
        deliveryId: id,
        messageId: message.id,
        appId: message.appId,
        endpointId: endpoint.id,
        url: endpoint.url,
        headers: endpoint.headers,
        secrets: activeSecrets(endpoint.secrets, message.timestamp),
        eventType: message.eventType,
        timestamp: message.timestamp,
        payload: message.payload,
        attemptsMade: 0,
        scheduleStart: 0,
        rateLimit: endpoint.rate_limit,
      });
    }
    results[positions[n]!] = { message: { ...message }, created: true, leased };
  });
  if (columns.id.length === 0) return;
  const values = [
    columns.id,
    columns.appId,
    columns.messageId,
    columns.endpointId,
    columns.nextAttemptAt,
    columns.lockedBy,
    columns.lockedUntil,
    columns.createdAt,
  ];
  // Nothing here needs its answer: inside a unit it goes with the COMMIT, one round trip fewer per unit.
  if (tx.send) tx.send(INSERT_DELIVERIES, values);
  else await tx.query(INSERT_DELIVERIES, values);
  if (unleased) ctx.announceNewWork();
}
