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
  /** Runs inside a SAVEPOINT of its own; without one it is expected not to throw. */
  isolated: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How a job runs inside the batch. */
export interface JobOptions {
  /**
   * false for the hot paths (enqueue, outcomes, claims, leases), which do not throw by design: they skip
   * the SAVEPOINT, whose page copies into the sub-journal were ≈13 % of the store's instructions. Should one
   * throw anyway, the whole transaction rolls back and the batch runs again with every job isolated.
   * Default true: a job that may refuse (a uid conflict) rolls back alone.
   */
  isolated?: boolean;
}

type Settled = Array<{ ok: boolean; value: unknown }>;

export interface WriteFailure {
  reason: string;
  /** When, in ms since the epoch. */
  at: number;
}

/** A commit of this many jobs shows that writes work again (space was freed). */
const JOBS_THAT_CLEAR_A_FAILURE = 16;

/**
 * Group commit: every write queued during one event-loop turn runs in ONE transaction with one fsync,
 * and each caller's promise settles only after that COMMIT (so a 202 always means durable).
 * A job that may fail runs inside a SAVEPOINT, so it rolls back alone and the others still commit.
 */
export class WriteBatcher {
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;
  private failed: WriteFailure | null = null;

  constructor(
    private readonly db: Database,
    private readonly hooks: BatchHooks = {},
  ) {}

  run<T>(job: () => T, options: JobOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run: job,
        isolated: options.isolated ?? true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** The last transaction that failed as a whole (a full disk, an I/O error); null when none has. */
  get lastFailure(): WriteFailure | null {
    return this.failed;
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
    let results: Settled | null;
    try {
      results = this.transaction(jobs, false) ?? this.transaction(jobs, true);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.hooks.batchFailed?.();
      const cause = error as { code?: string; message?: string };
      const failure = new StoreUnavailableError(
        `the database refused the write: ${cause.code ?? cause.message}`,
      );
      this.failed = { reason: failure.message, at: Date.now() };
      for (const job of jobs) job.reject(failure);
      return;
    }
    // Writes work again (space was freed): stop reporting the failure once a commit of many jobs went
    // through. A lone small write (one outcome, a setting) may fit where a batch of messages does not.
    if (this.failed && results!.filter((r) => r.ok).length >= JOBS_THAT_CLEAR_A_FAILURE) this.failed = null;
    jobs.forEach((job, i) => {
      const result = results![i]!;
      if (result.ok) job.resolve(result.value);
      else job.reject(result.value);
    });
  }

  /**
   * One transaction over `jobs`, committed. Null when a job without a SAVEPOINT threw: the transaction is
   * rolled back and its aggregates forgotten, for the caller to run again with `isolateAll`.
   */
  private transaction(jobs: Job[], isolateAll: boolean): Settled | null {
    const results: Settled = [];
    this.db.exec('BEGIN IMMEDIATE');
    for (const job of jobs) {
      if (!isolateAll && !job.isolated) {
        try {
          results.push({ ok: true, value: job.run() });
          this.hooks.jobSucceeded?.();
        } catch (error) {
          if (!this.db.inTransaction) throw error; // SQLite rolled it all back itself: a full disk, an I/O error
          this.db.exec('ROLLBACK');
          this.hooks.batchFailed?.();
          return null;
        }
        continue;
      }
      this.db.exec('SAVEPOINT job');
      try {
        results.push({ ok: true, value: job.run() });
        this.db.exec('RELEASE job');
        this.hooks.jobSucceeded?.();
      } catch (error) {
        if (!this.db.inTransaction) throw error;
        this.db.exec('ROLLBACK TO job');
        this.db.exec('RELEASE job');
        this.hooks.jobFailed?.();
        results.push({ ok: false, value: error });
      }
    }
    this.hooks.beforeCommit?.();
    this.db.exec('COMMIT');
    return results;
  }
}
