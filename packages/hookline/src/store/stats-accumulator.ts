import { delayBucket, statsMinute } from '../core/histogram.js';

export interface StatsRow {
  appId: string;
  minute: number;
  count: number;
  succeeded: number;
  failed: number;
}

export interface DelayRow {
  appId: string;
  minute: number;
  bucket: number;
  n: number;
}

/**
 * Sums stats deltas over a batch so each (app, minute) counter row is written once per transaction,
 * not once per delivery. Deltas of a job that rolled back are dropped with it.
 */
export class StatsAccumulator {
  private job: Array<() => void> = [];
  private rows = new Map<string, StatsRow>();
  private delays = new Map<string, DelayRow>();

  add(appId: string, createdAt: number, count: number, succeeded: number, failed: number): void {
    this.job.push(() => {
      const minute = statsMinute(createdAt);
      const key = `${appId}|${minute}`;
      const row = this.rows.get(key) ?? { appId, minute, count: 0, succeeded: 0, failed: 0 };
      row.count += count;
      row.succeeded += succeeded;
      row.failed += failed;
      this.rows.set(key, row);
    });
  }

  delay(appId: string, createdAt: number, delayMs: number): void {
    this.job.push(() => {
      const minute = statsMinute(createdAt);
      const bucket = delayBucket(delayMs);
      const key = `${appId}|${minute}|${bucket}`;
      const row = this.delays.get(key) ?? { appId, minute, bucket, n: 0 };
      row.n += 1;
      this.delays.set(key, row);
    });
  }

  keepJob(): void {
    for (const apply of this.job) apply();
    this.job = [];
  }

  dropJob(): void {
    this.job = [];
  }

  /** Forget everything: the transaction these deltas belonged to rolled back. */
  reset(): void {
    this.job = [];
    this.rows.clear();
    this.delays.clear();
  }

  /** Hand every summed row to the writers and start over. */
  flush(writeStats: (row: StatsRow) => void, writeDelay: (row: DelayRow) => void): void {
    for (const row of this.rows.values()) writeStats(row);
    for (const row of this.delays.values()) writeDelay(row);
    this.rows.clear();
    this.delays.clear();
  }
}
