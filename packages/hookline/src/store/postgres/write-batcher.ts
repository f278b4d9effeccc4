import { StoreUnavailableError } from '../errors.js';
import {
  isAborted,
  isDataError,
  isRetryable,
  isStalePlan,
  isUnavailable,
  type PgConnection,
  type PgPool,
  type PgQueryable,
  type PgResult,
  toStoreError,
} from './driver.js';

/** Lets the store keep per-unit aggregates (stats deltas, a NOTIFY) that commit only with the unit. */
export interface UnitHooks {
  /** After one batch ran (its aggregates belong to the unit now). */
  batchDone(): void;
  /** Inside the transaction, after every batch, before COMMIT. */
  beforeCommit(tx: PgQueryable): Promise<void>;
  /** The unit rolled back (it may run again): forget its aggregates. */
  rolledBack(): void;
}

/** Runs every input of one kind queued for a unit in one go; returns one output per input, in order. */
export type RunMany<I, O> = (tx: PgQueryable, inputs: I[]) => Promise<O[]>;

/** How a kind of input runs. */
export interface BatchOptions {
  /**
   * It runs exactly one statement and leaves no aggregates, so a unit holding nothing else runs it
   * without BEGIN/COMMIT: one round trip instead of three.
   */
  oneStatement?: boolean;
  /**
   * It may run alongside the unit's other batches so marked, their statements interleaving on the
   * connection (one round trip for both instead of one after the other): only kinds whose statements
   * cannot change what the others read (new messages and their deliveries; successful outcomes of earlier
   * units, which change no endpoint a new message could go to).
   */
  together?: boolean;
}

interface Batch {
  inputs: unknown[];
  waiters: Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }>;
  runMany: RunMany<unknown, unknown>;
  oneStatement: boolean;
  together: boolean;
}

const MAX_ATTEMPTS = 3;

/**
 * Group commit for PostgreSQL: every write queued while the previous unit ran (or during one event-loop
 * turn) runs in ONE transaction, and inputs of the same kind run as one multi-row statement set. Each
 * caller's promise settles only after COMMIT, so a 202 always means committed. One unit at a time:
 * while it commits, the next one grows. A deadlock or serialization failure reruns the whole unit.
 */
export class WriteBatcher {
  private queue = new Map<string, Batch>();
  private scheduled = false;
  private running: Promise<void> | null = null;
  private closed = false;
  private singles = 0;

  constructor(
    private readonly pool: PgPool,
    private readonly hooks: UnitHooks,
  ) {}

  /** Queue `input` with the other inputs of `kind` for the next unit. */
  batch<I, O>(kind: string, input: I, runMany: RunMany<I, O>, options: BatchOptions = {}): Promise<O> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return new Promise<O>((resolve, reject) => {
      let batch = this.queue.get(kind);
      if (!batch) {
        batch = {
          inputs: [],
          waiters: [],
          runMany: runMany as RunMany<unknown, unknown>,
          oneStatement: options.oneStatement === true,
          together: options.together === true,
        };
        this.queue.set(kind, batch);
      }
      batch.inputs.push(input);
      batch.waiters.push({ resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Queue one job of its own kind for the next unit. */
  single<O>(job: (tx: PgQueryable) => Promise<O>, options: BatchOptions = {}): Promise<O> {
    return this.batch(`single:${this.singles++}`, null, async (tx) => [await job(tx)], options);
  }

  /** Run what is queued, wait for it, and stop taking new writes. */
  async close(): Promise<void> {
    while (this.running || this.queue.size > 0) {
      if (!this.running) this.flush();
      await this.running;
    }
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.running || this.queue.size === 0) return;
    const batches = [...this.queue.values()];
    this.queue = new Map();
    this.running = this.commitUnit(batches).then(
      (outputs) => {
        this.ended(true);
        batches.forEach((batch, b) => batch.waiters.forEach((waiter, i) => waiter.resolve(outputs[b]![i])));
      },
      async (error: unknown) => {
        if (isDataError(error) && batches.reduce((n, batch) => n + batch.inputs.length, 0) > 1) {
          await this.commitEachAlone(batches);
          this.ended(true);
          return;
        }
        this.ended(false);
        const failure = toStoreError(error);
        for (const batch of batches) for (const waiter of batch.waiters) waiter.reject(failure);
      },
    );
  }

  /**
   * One input's data broke its unit (a value the database refuses): run every input of the unit again in a
   * transaction of its own, so that only that caller hears the error, never the others who shared the unit.
   */
  private async commitEachAlone(batches: Batch[]): Promise<void> {
    for (const batch of batches) {
      for (let i = 0; i < batch.inputs.length; i++) {
        const waiter = batch.waiters[i]!;
        const alone: Batch = { ...batch, inputs: [batch.inputs[i]], waiters: [waiter] };
        try {
          waiter.resolve((await this.commitUnit([alone]))[0]![0]);
        } catch (error) {
          waiter.reject(toStoreError(error));
        }
      }
    }
  }

  /**
   * A unit ended. After a commit, what queued meanwhile starts at once, before this unit's callers hear back,
   * so that its first round trip overlaps their work (the 202s, the next sends) instead of waiting for it.
   * After a failure it waits a turn: callers retrying at once must not spin the event loop.
   */
  private ended(committed: boolean): void {
    this.running = null;
    if (this.queue.size === 0) return;
    if (committed) this.flush();
    else this.schedule();
  }

  /** A lone one-statement batch: its statement is its own transaction. */
  private async runBare(batch: Batch): Promise<unknown[]> {
    let out: unknown[];
    try {
      out = await batch.runMany(this.pool, batch.inputs);
    } catch (error) {
      // The pool dropped the connection with the stale plan; a fresh one plans again.
      if (!isStalePlan(error)) throw error;
      out = await batch.runMany(this.pool, batch.inputs);
    }
    this.hooks.batchDone();
    return out;
  }

  private async commitUnit(batches: Batch[]): Promise<unknown[][]> {
    if (batches.length === 1 && batches[0]!.oneStatement) return [await this.runBare(batches[0]!)];
    for (let attempt = 1; ; attempt++) {
      const connection = await this.pool.connect();
      let broken: Error | undefined;
      const sent: Array<Promise<unknown>> = [];
      try {
        const begun = connection.query('BEGIN');
        const tx = afterBegin(connection, begun, sent);
        const outputs: unknown[][] = new Array(batches.length);
        const run = async (b: number) => {
          const batch = batches[b]!;
          const out = await batch.runMany(tx, batch.inputs);
          if (out.length !== batch.inputs.length) throw new Error('a batch returned the wrong number of results');
          outputs[b] = out;
          this.hooks.batchDone();
        };
        await runTogether(batches.flatMap((batch, b) => (batch.together ? [run(b)] : [])));
        for (let b = 0; b < batches.length; b++) if (!batches[b]!.together) await run(b);
        await commitPipelined(connection, begun, sent, this.hooks.beforeCommit(connection));
        return outputs;
      } catch (thrown) {
        const error = await realError(thrown, sent);
        this.hooks.rolledBack();
        if (isUnavailable(error) || isStalePlan(error)) broken = error as Error;
        else await rollback(connection).catch((e: Error) => (broken = e));
        if (isRetryable(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      } finally {
        connection.release(broken);
      }
    }
  }
}

/**
 * Wait for batches running together. Should one fail, the others must still end before the unit rolls back
 * (a statement sent after the ROLLBACK would run, and commit, on its own); the unit's error is the first
 * real one: the others then only heard that the transaction was aborted (25P02).
 */
async function runTogether(running: Array<Promise<void>>): Promise<void> {
  if (running.length === 0) return;
  const failures = await rejections(running);
  if (failures.length > 0) throw firstReal(failures) ?? failures[0];
}

/**
 * The unit's real error. A statement that failed only because an earlier one had (25P02) hides it: when the
 * earlier one is a statement sent without waiting, its own error (a deadlock to retry, a value refused, the
 * disk full) is the one to act on and to report.
 */
async function realError(error: unknown, sent: Array<Promise<unknown>>): Promise<unknown> {
  if (!isAborted(error)) return error;
  return firstReal(await rejections(sent)) ?? error;
}

/** The reasons of those of `promises` that reject, in their order, once all have settled. */
async function rejections(promises: Array<Promise<unknown>>): Promise<unknown[]> {
  const settled = await Promise.allSettled(promises);
  return settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
}

/** The first error that is not only "the transaction is aborted" (25P02, an earlier statement failed). */
function firstReal(errors: unknown[]): unknown {
  return errors.find((e) => !isAborted(e));
}

/**
 * The connection as the unit's statements see it: BEGIN (`begun`, already sent) travels with the first of
 * them instead of a round trip ahead (the pool's connections pipeline). The answers of statements sent
 * before BEGIN's came wait for it, so nothing more is sent should BEGIN have failed; it fails only with its
 * connection, and then so does every statement behind it.
 */
function afterBegin(connection: PgConnection, begun: Promise<unknown>, sent: Array<Promise<unknown>>): PgQueryable {
  let confirmed = false;
  // Also what handles BEGIN's failure until COMMIT awaits it: a unit can fail before that.
  void begun.then(() => (confirmed = true), () => undefined);
  return {
    query: <R>(text: string, values?: unknown[]) => {
      const answer = connection.query<R>(text, values);
      if (confirmed) return answer;
      return Promise.all([begun, answer]).then(([, result]) => result);
    },
    send: (text: string, values?: unknown[]) => {
      const answer = connection.query(text, values);
      // Handled here until COMMIT awaits it: the unit may fail before it gets there.
      answer.catch(() => undefined);
      sent.push(answer);
    },
  };
}

/**
 * COMMIT, sent right behind the unit's last statements (`sent`, whose answers nobody waited for, and `last`,
 * the stats deltas: all already sent) instead of a round trip after them. Had one of them failed, the server
 * answers the COMMIT with ROLLBACK, and the first failure, in the order they were sent, is the unit's error.
 */
async function commitPipelined(
  connection: PgConnection,
  begun: Promise<unknown>,
  sent: Array<Promise<unknown>>,
  last: Promise<void>,
): Promise<void> {
  const settled = await Promise.allSettled([begun, ...sent, last, connection.query('COMMIT')]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  const { command } = (settled.at(-1) as PromiseFulfilledResult<PgResult<unknown>>).value;
  if (command !== 'COMMIT') throw new Error(`the transaction ended with ${command}`);
}

async function rollback(connection: PgConnection): Promise<void> {
  await connection.query('ROLLBACK');
}
