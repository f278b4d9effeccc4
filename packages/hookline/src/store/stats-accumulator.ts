import { delayBucket, statsMinute } from '../core/histogram.js';

/** One counter row: per (app, minute) when `endpointId` is null, else per (app, endpoint, minute). */
export interface StatsRow {
  appId: string;
  endpointId: string | null;
  minute: number;
  count: number;
  succeeded: number;
  failed: number;
}

/** One delay-histogram row, at the same two granularities as StatsRow. */
export interface DelayRow {
  appId: string;
  endpointId: string | null;
  minute: number;
  bucket: number;
  n: number;
}

/**
 * Sums stats deltas over a batch so each counter row is written once per transaction, not once per
 * delivery. Every delta lands twice: on the app's row and on the endpoint's row. Deltas may be negative
 * (a resend re-opens a finished delivery). Deltas of a job that rolled back are dropped with it.
 */
/** A finished delivery about to be re-opened (resend, recover), as both backends read it. */
export interface ReopenedDelivery {
  id: string;
  endpoint_id: string;
  status: string;
  locked_by: string | null;
  created_at: number;
  finished_at: number | null;
}

export class StatsAccumulator {
  private job: Array<() => void> = [];
  private rows = new Map<string, StatsRow>();
  private delays = new Map<string, DelayRow>();

  add(
    appId: string,
    endpointId: string,
    createdAt: number,
    count: number,
    succeeded: number,
    failed: number,
  ): void {
    this.job.push(() => {
      const minute = statsMinute(createdAt);
      for (const ep of [null, endpointId]) {
        const key = `${appId}|${ep ?? ''}|${minute}`;
        const row = this.rows.get(key) ?? { appId, endpointId: ep, minute, count: 0, succeeded: 0, failed: 0 };
        row.count += count;
        row.succeeded += succeeded;
        row.failed += failed;
        this.rows.set(key, row);
      }
    });
  }

  /** Count one successful delivery's delay (or, with n = -1, take a re-opened one back). */
  delay(appId: string, endpointId: string, createdAt: number, delayMs: number, n = 1): void {
    this.job.push(() => {
      const minute = statsMinute(createdAt);
      const bucket = delayBucket(delayMs);
      for (const ep of [null, endpointId]) {
        const key = `${appId}|${ep ?? ''}|${minute}|${bucket}`;
        const row = this.delays.get(key) ?? { appId, endpointId: ep, minute, bucket, n: 0 };
        row.n += n;
        this.delays.set(key, row);
      }
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

  /** Take a re-opened delivery's outcome back out of the counters; it is counted again when it finishes. */
  takeBack(appId: string, d: ReopenedDelivery): void {
    if (d.status === 'succeeded') {
      this.add(appId, d.endpoint_id, d.created_at, 0, -1, 0);
      this.delay(appId, d.endpoint_id, d.created_at, (d.finished_at ?? d.created_at) - d.created_at, -1);
    } else if (d.status === 'failed') {
      this.add(appId, d.endpoint_id, d.created_at, 0, 0, -1);
    }
  }
}
