import type { ClaimedDelivery } from '../store/types.js';
import type { SendResult } from './sender.js';

/**
 * Most attempts to one endpoint at once. The sender keeps twice as many connections per origin, so an
 * endpoint that hangs leaves room on its origin for the other endpoints there (a shared inbox service).
 */
export const ENDPOINT_CONCURRENCY = 128;

/** Lanes kept at most before idle ones are forgotten (an idle lane is only a remembered cut limit). */
const REMEMBERED_LANES = 10_000;

export interface LaneOptions {
  /** Most attempts to one endpoint at once (a healthy endpoint's; no more than its origin's connections). */
  maxConcurrency: number;
  /** Fewest attempts at once an endpoint that keeps timing out is cut down to. */
  minConcurrency: number;
  /** An endpoint whose oldest attempt under way has run this long is slow: its waiting line is capped. */
  slowMs: number;
  clock: () => number;
}

/** What the lanes ask of the dispatcher. */
export interface LaneActions {
  /** Start the attempt now. */
  begin(delivery: ClaimedDelivery): void;
  /** Not now: back to the store, due when its turn would come (`turn` = how many rounds of attempts ahead). */
  giveBack(delivery: ClaimedDelivery, turn: number): void;
}

/** One endpoint's attempts under way (by delivery id, oldest first, with their start) and its line. */
interface Lane {
  active: Map<string, number>;
  waiting: ClaimedDelivery[];
  limit: number;
}

/**
 * Slow endpoints are kept from taking the whole process's room (isolation). Each endpoint gets at most
 * `limit` attempts at once; its other deliveries wait in its line. The limit is cut in half by each attempt
 * that gets no response (timeout, connection error) down to `minConcurrency`, and grows back by one with
 * each response. While an endpoint is slow (its limit is cut, or its oldest attempt has run `slowMs`) its
 * line holds no more than its limit; the rest go back to the store, spread out by their turn. A healthy
 * endpoint's line is bounded only by the dispatcher's room, so a burst to a fast receiver queues here as
 * it would in the connection pool.
 */
export class EndpointLanes {
  private readonly lanes = new Map<string, Lane>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: LaneOptions,
    private readonly actions: LaneActions,
  ) {}

  /** Start `delivery` now, put it in its endpoint's line, or give it back. */
  submit(delivery: ClaimedDelivery): void {
    let lane = this.lanes.get(delivery.endpointId);
    if (!lane) {
      if (this.lanes.size >= REMEMBERED_LANES) this.forgetIdle();
      lane = { active: new Map(), waiting: [], limit: this.options.maxConcurrency };
      this.lanes.set(delivery.endpointId, lane);
    }
    if (lane.waiting.length === 0 && lane.active.size < lane.limit) return this.begin(lane, delivery);
    if (this.isSlow(lane) && lane.waiting.length >= lane.limit) {
      this.actions.giveBack(delivery, this.turnOf(lane, lane.waiting.length));
      return;
    }
    lane.waiting.push(delivery);
    this.sweepSoon();
  }

  /** An attempt ended: adapt the endpoint's limit and start what its line allows. */
  finished(delivery: ClaimedDelivery, result: SendResult): void {
    const lane = this.lanes.get(delivery.endpointId);
    if (!lane || !lane.active.delete(delivery.deliveryId)) return;
    if (result.statusCode === null) {
      lane.limit = Math.max(this.options.minConcurrency, Math.floor(lane.limit / 2));
    } else if (lane.limit < this.options.maxConcurrency) {
      lane.limit++;
    }
    this.settle(delivery.endpointId, lane);
  }

  /** Every delivery still waiting in a line (never attempted), taken out; for shutdown. */
  takeWaiting(): ClaimedDelivery[] {
    const waiting: ClaimedDelivery[] = [];
    for (const lane of this.lanes.values()) waiting.push(...lane.waiting.splice(0));
    this.stopSweeping();
    return waiting;
  }

  stop(): void {
    this.stopSweeping();
  }

  /** Drop every idle lane, cut limits included (the map stays bounded however many endpoints come and go). */
  private forgetIdle(): void {
    for (const [endpointId, lane] of this.lanes) {
      if (lane.active.size === 0 && lane.waiting.length === 0) this.lanes.delete(endpointId);
    }
  }

  private begin(lane: Lane, delivery: ClaimedDelivery): void {
    lane.active.set(delivery.deliveryId, this.options.clock());
    this.actions.begin(delivery);
  }

  private isSlow(lane: Lane): boolean {
    if (lane.limit < this.options.maxConcurrency) return true;
    const oldest = lane.active.values().next();
    return !oldest.done && this.options.clock() - oldest.value >= this.options.slowMs;
  }

  /** Rounds of attempts ahead of the delivery at `position` in the line. */
  private turnOf(lane: Lane, position: number): number {
    return Math.ceil((lane.active.size + position + 1) / lane.limit);
  }

  /** Give back what a slow endpoint's line holds beyond its limit, start what the limit allows, drop idle lanes. */
  private settle(endpointId: string, lane: Lane): void {
    if (lane.waiting.length > lane.limit && this.isSlow(lane)) {
      const excess = lane.waiting.splice(lane.limit);
      excess.forEach((delivery, i) => this.actions.giveBack(delivery, this.turnOf(lane, lane.limit + i)));
    }
    while (lane.waiting.length > 0 && lane.active.size < lane.limit) this.begin(lane, lane.waiting.shift()!);
    // A cut limit is remembered while the endpoint has work here; an idle healthy lane is dropped.
    if (lane.active.size === 0 && lane.waiting.length === 0 && lane.limit === this.options.maxConcurrency) {
      this.lanes.delete(endpointId);
    }
  }

  /**
   * While some line waits, look every half `slowMs` whether its endpoint turned slow: a receiver that hangs
   * sends nothing back until the request timeout, and its line must not hold the process's room till then.
   */
  private sweepSoon(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      let waiting = false;
      for (const [endpointId, lane] of this.lanes) {
        this.settle(endpointId, lane);
        if (lane.waiting.length > 0) waiting = true;
      }
      if (!waiting) this.stopSweeping();
    }, Math.max(10, this.options.slowMs / 2));
    this.sweeper.unref();
  }

  private stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
