/**
 * Remembers which webhook ids (`webhook-id`, the same on every retry of a message) were handled,
 * so a retry after a lost response does not run a handler twice.
 *
 * Lifecycle of one id: `claim` → handler runs → `complete` (remember for long) or `release`
 * (forget, so hookline's retry can run it again). A claim is a lease: if the process dies between
 * claim and complete, the claim expires after its ttl and the next retry runs the handler.
 */
export type ClaimResult =
  /** Nobody has this id: the caller now owns it and must `complete` or `release` it. */
  | 'new'
  /** Handled and completed before: answer 2xx without running the handler. */
  | 'duplicate'
  /** Another request is handling it right now: answer non-2xx so the sender retries later. */
  | 'in_progress';

/** Storage for dedup claims. Implementations must make `claim` atomic across processes. */
export interface DedupStore {
  /** Atomically claims `id` for `ttlSeconds` (the lease) unless it is claimed or completed. */
  claim(id: string, ttlSeconds: number): Promise<ClaimResult>;
  /** Marks `id` handled; it stays `duplicate` for `ttlSeconds`. */
  complete(id: string, ttlSeconds: number): Promise<void>;
  /** Drops an unfinished claim after a handler failed, so the next retry is `new`. */
  release(id: string): Promise<void>;
}

/** How long a claim lasts before a crashed handler's id may run again. */
export const DEFAULT_LEASE_SECONDS = 5 * 60;
/** How long a completed id is remembered: past hookline's whole default retry schedule (~28 h). */
export const DEFAULT_DEDUP_TTL_SECONDS = 3 * 24 * 60 * 60;

/** Checks a ttl before it reaches SQL or Redis, where a bad value would fail less clearly. */
export function assertTtl(ttlSeconds: number): void {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
}
