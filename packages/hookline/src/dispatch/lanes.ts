import type { ClaimedDelivery } from '../store/types.js';
import type { SendResult } from './sender.js';

/**
 * Most attempts to one endpoint at once. The sender gives each endpoint as many connections of its own, so
 * endpoints that hang take nothing from the other endpoints on their host (a shared inbox service).
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
  /** The longest an attempt can take (the request timeout): no round of attempts lasts longer. */
  longestAttemptMs: number;
  /**
   * Most attempts at once for one app (tenant), all its endpoints together, and most of its deliveries
   * waiting while it is at that: a tenant with many endpoints that hang cannot take the process's room.
   */
  maxPerApp: number;
  clock: () => number;
}

/** What the lanes ask of the dispatcher. */
export interface LaneActions {
  /** Start the attempt now. */
  begin(delivery: ClaimedDelivery): void;
  /** Not now: back to the store, due in `waitMs`, when its turn would come. */
  giveBack(delivery: ClaimedDelivery, waitMs: number): void;
}

/** One endpoint's attempts under way (by delivery id, oldest first, with their start) and its line. */
interface Lane {
  appId: string;
  active: Map<string, number>;
  waiting: ClaimedDelivery[];
  limit: number;
  /** How long its attempts take (a moving average; 0 before the first ends). */
  attemptMs: number;
  /** Deliveries given back since it last had room to spare: later ones come due later. */
  givenBack: number;
}

/** One app's attempts under way and deliveries waiting, over all its endpoints; the lanes with a line. */
interface AppShare {
  active: number;
  waiting: number;
  lanes: Set<Lane>;
  /** Deliveries given back for the app's share since it last had room to spare. */
  givenBack: number;
}

/**
 * Slow endpoints are kept from taking the whole process's room (isolation). Each endpoint gets at most
 * `limit` attempts at once; its other deliveries wait in its line. The limit is cut in half by each attempt
 * that gets no response after running `slowMs` or its whole timeout (a hang, a timeout) down to
 * `minConcurrency`, and grows back by one with
 * each response. While an endpoint is slow (its limit is cut, or its oldest attempt has run `slowMs`) its
 * line holds no more than its limit; the rest go back to the store, due when their turn would come (rounds
 * ahead × how long the endpoint's attempts take). A healthy endpoint's line is bounded only by the
 * dispatcher's room, so a burst to a fast receiver queues here as it would in the connection pool. Above the
 * endpoints, each app may have `maxPerApp` attempts at once and, while it has, no more than `maxPerApp`
 * deliveries waiting; the rest go back the same way. A line that could move on but got no new delivery
 * (its app's room freed elsewhere) is moved by the next attempt of that app to end, or by the sweep.
 */
export class EndpointLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly apps = new Map<string, AppShare>();
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
      const appId = delivery.appId;
      lane = { appId, active: new Map(), waiting: [], limit: this.options.maxConcurrency, attemptMs: 0, givenBack: 0 };
      this.lanes.set(delivery.endpointId, lane);
    }
    const app = this.shareOf(lane.appId);
    const appBusy = app.active >= this.options.maxPerApp;
    if (lane.waiting.length === 0 && lane.active.size < lane.limit && !appBusy) return this.begin(lane, delivery);
    // An app's line: its share while it has that many attempts under way, twice that otherwise.
    if (app.waiting >= this.options.maxPerApp * (appBusy ? 1 : 2)) return this.giveBackForApp(app, lane, delivery);
    if (this.isSlow(lane) && lane.waiting.length >= lane.limit) {
      this.actions.giveBack(delivery, this.waitOf(lane, lane.waiting.length + lane.givenBack++));
      return;
    }
    lane.waiting.push(delivery);
    app.waiting++;
    app.lanes.add(lane);
    this.sweepSoon();
  }

  /** An attempt ended: adapt the endpoint's limit and start what its line allows. */
  finished(delivery: ClaimedDelivery, result: SendResult): void {
    const lane = this.lanes.get(delivery.endpointId);
    const startedAt = lane?.active.get(delivery.deliveryId);
    if (!lane || startedAt === undefined) return;
    lane.active.delete(delivery.deliveryId);
    const app = this.shareOf(lane.appId);
    app.active--;
    const tookMs = this.options.clock() - startedAt;
    lane.attemptMs = lane.attemptMs === 0 ? tookMs : 0.8 * lane.attemptMs + 0.2 * tookMs;
    if (result.statusCode !== null) {
      if (lane.limit < this.options.maxConcurrency) lane.limit++;
    } else if (tookMs >= this.cutAfterMs()) {
      // No response after a while (a timeout, a connection that hangs) held a connection: cut. A quick
      // failure (the host is down: refused or reset, no such name) held nothing and changes nothing: the
      // retry schedule paces it, and a cut would give its backlog back for up to a minute after it is up.
      lane.limit = Math.max(this.options.minConcurrency, Math.floor(lane.limit / 2));
    }
    // Room to spare again: what is given back from now on comes due from the next round on.
    if (lane.waiting.length === 0 && lane.active.size < lane.limit / 2) lane.givenBack = 0;
    if (app.active < this.options.maxPerApp / 2) app.givenBack = 0;
    this.settle(delivery.endpointId, lane);
    // The app's room freed: its other endpoints' lines may go on.
    for (const other of app.lanes) {
      if (app.active >= this.options.maxPerApp) break;
      if (other !== lane) this.settle(null, other);
    }
    this.forgetShare(lane.appId, app);
  }

  /**
   * The deliveries waiting in an endpoint's line (never attempted), taken out: it changed. With an app id,
   * those of every endpoint of that app (it was deleted).
   */
  takeWaitingOf(id: string): ClaimedDelivery[] {
    const waiting: ClaimedDelivery[] = [];
    for (const [endpointId, lane] of this.lanes) {
      if (endpointId !== id && lane.appId !== id) continue;
      if (lane.waiting.length === 0) continue;
      const app = this.shareOf(lane.appId);
      const taken = lane.waiting.splice(0);
      app.waiting -= taken.length;
      app.lanes.delete(lane);
      this.forgetShare(lane.appId, app);
      waiting.push(...taken);
    }
    return waiting;
  }

  /** Every delivery still waiting in a line (never attempted), taken out; for shutdown. */
  takeWaiting(): ClaimedDelivery[] {
    const waiting: ClaimedDelivery[] = [];
    for (const lane of this.lanes.values()) waiting.push(...lane.waiting.splice(0));
    for (const app of this.apps.values()) {
      app.waiting = 0;
      app.lanes.clear();
    }
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

  /**
   * Give a delivery back for its app's share, due after the rounds of the app's attempts ahead of it, each as
   * long as its endpoint's attempts take. Successive ones come due later and later (`givenBack`), so a
   * tenant's big backlog goes back once, spread out, instead of being claimed and given back again at once.
   */
  private giveBackForApp(app: AppShare, lane: Lane, delivery: ClaimedDelivery): void {
    const ahead = app.active + app.waiting + app.givenBack++;
    this.actions.giveBack(delivery, this.waitFor(lane, ahead, this.options.maxPerApp));
  }

  private shareOf(appId: string): AppShare {
    let app = this.apps.get(appId);
    if (!app) {
      app = { active: 0, waiting: 0, lanes: new Set(), givenBack: 0 };
      this.apps.set(appId, app);
    }
    return app;
  }

  private forgetShare(appId: string, app: AppShare): void {
    if (app.active === 0 && app.waiting === 0) this.apps.delete(appId);
  }

  private begin(lane: Lane, delivery: ClaimedDelivery): void {
    lane.active.set(delivery.deliveryId, this.options.clock());
    this.shareOf(lane.appId).active++;
    this.actions.begin(delivery);
  }

  /** How long an attempt without a response must have run to cut its endpoint: slowMs, or the whole timeout if shorter. */
  private cutAfterMs(): number {
    return Math.min(this.options.slowMs, this.options.longestAttemptMs);
  }

  private isSlow(lane: Lane): boolean {
    if (lane.limit < this.options.maxConcurrency) return true;
    const oldest = lane.active.values().next();
    return !oldest.done && this.options.clock() - oldest.value >= this.options.slowMs;
  }

  /**
   * How long until the delivery at `position` in the line would get its turn: the rounds of attempts ahead of
   * it, each as long as the endpoint's attempts take (at least as long as its oldest one has run so far, at
   * most the request timeout).
   */
  private waitOf(lane: Lane, position: number): number {
    return this.waitFor(lane, lane.active.size + position, lane.limit);
  }

  /** The wait of a delivery with `ahead` before it, when `perRound` go at once, each round at the lane's pace. */
  private waitFor(lane: Lane, ahead: number, perRound: number): number {
    return Math.ceil((ahead + 1) / perRound) * this.roundMs(lane);
  }

  /** How long a round of the lane's attempts takes: their average, at least its oldest one's age so far. */
  private roundMs(lane: Lane): number {
    const oldest = lane.active.values().next();
    const running = oldest.done ? 0 : this.options.clock() - oldest.value;
    return Math.min(Math.max(lane.attemptMs, running, this.options.slowMs), this.options.longestAttemptMs);
  }

  /**
   * Give back what a slow endpoint's line holds beyond its limit, start what its limit and its app's room
   * allow, drop the lane when it is idle and healthy (`endpointId`, when known).
   */
  private settle(endpointId: string | null, lane: Lane): void {
    const app = this.shareOf(lane.appId);
    if (lane.waiting.length > lane.limit && this.isSlow(lane)) {
      const excess = lane.waiting.splice(lane.limit);
      app.waiting -= excess.length;
      for (const delivery of excess) this.actions.giveBack(delivery, this.waitOf(lane, lane.limit + lane.givenBack++));
    }
    while (lane.waiting.length > 0 && lane.active.size < lane.limit && app.active < this.options.maxPerApp) {
      app.waiting--;
      this.begin(lane, lane.waiting.shift()!);
    }
    if (lane.waiting.length === 0) app.lanes.delete(lane);
    // A cut limit is remembered while the endpoint has work here; an idle healthy lane is dropped.
    const idle = lane.active.size === 0 && lane.waiting.length === 0;
    if (endpointId !== null && idle && lane.limit === this.options.maxConcurrency) this.lanes.delete(endpointId);
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
