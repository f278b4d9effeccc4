/**
 * The attempts under way, by age: those that have run `stallMs` or longer (a receiver that hangs, or is very
 * slow) are counted apart, so the dispatcher can keep room for the others. Each attempt moves from recent to
 * stalled once, so counting is O(1) amortised however many hang.
 */
export class AttemptAges {
  /** Delivery id → start, in the order the attempts started (a Map iterates in insertion order). */
  private readonly recent = new Map<string, number>();
  private readonly stalled = new Set<string>();

  constructor(private readonly stallMs: number) {}

  /** Starts must come in time order (one clock); a delivery started again goes to the end. */
  started(deliveryId: string, at: number): void {
    this.stalled.delete(deliveryId);
    this.recent.delete(deliveryId);
    this.recent.set(deliveryId, at);
  }

  ended(deliveryId: string): void {
    if (!this.recent.delete(deliveryId)) this.stalled.delete(deliveryId);
  }

  /** How many attempts under way at `now` have run `stallMs` or longer. */
  stalledAt(now: number): number {
    for (const [deliveryId, startedAt] of this.recent) {
      if (now - startedAt < this.stallMs) break;
      this.recent.delete(deliveryId);
      this.stalled.add(deliveryId);
    }
    return this.stalled.size;
  }

  /** When the oldest attempt not yet stalled will be; null when there is none. */
  nextStallAt(): number | null {
    const oldest = this.recent.values().next();
    return oldest.done ? null : oldest.value + this.stallMs;
  }

  clear(): void {
    this.recent.clear();
    this.stalled.clear();
  }
}
