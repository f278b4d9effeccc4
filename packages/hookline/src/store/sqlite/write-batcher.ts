import type { Database } from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.js';

/** Lets a store keep per-batch aggregates (counters) that commit only with the jobs that produced them. */
export interface BatchHooks {
  jobSucceeded?: () => void;
  jobFailed?: () => void;
  /** Runs inside the transaction after every job, before COMMIT. */
  beforeCommit?: () => void;
  /** The whole transaction rolled back: forget every aggregate of this batch. */
  batchFailed?: () => void;
}

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every write queued during one event-loop turn runs in ONE transaction with one fsync,
 * and each caller's promise settles only after that COMMIT (so a 202 always means durable).
 * Each job runs inside a SAVEPOINT, so one failing job rolls back alone and the others still commit.
 */
export class WriteBatcher {
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly hooks: BatchHooks = {},
  ) {}

  run<T>(job: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Run what is queued now and stop taking new jobs. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    const results: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const job of jobs) {
        this.db.exec('SAVEPOINT job');
        try {
          results.push({ ok: true, value: job.run() });
          this.db.exec('RELEASE job');
          this.hooks.jobSucceeded?.();
        } catch (error) {
          this.db.exec('ROLLBACK TO job');
          this.db.exec('RELEASE job');
          this.hooks.jobFailed?.();
          results.push({ ok: false, value: error });
        }
      }
      this.hooks.beforeCommit?.();
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.hooks.batchFailed?.();
      const cause = error as { code?: string; message?: string };
      const failure = new StoreUnavailableError(
        `the database refused the write: ${cause.code ?? cause.message}`,
      );
      for (const job of jobs) job.reject(failure);
      return;
    }
    jobs.forEach((job, i) => {
      const result = results[i]!;
      if (result.ok) job.resolve(result.value);
      else job.reject(result.value);
    });
  }
}
