import { parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * Method calls to an object living on a worker thread (the SQLite store, the HTTP sender), as plain
 * structured-clone messages. Calls and replies cross as one array per event-loop turn: a `postMessage`
 * per call cost ≈4 % of the main thread under load. Hand-written: the common libraries (comlink, piscina)
 * post a message per call or run a task pool, and neither batches per turn.
 */

/** One method call sent to the worker. */
export interface Call {
  id: number;
  method: string;
  args: unknown[];
}

/** The answer to a call; id 0 answers the worker's start (value: what the worker says about itself). */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  field?: string;
  code?: string;
}

/** Messages to the other thread, sent as one array per event-loop turn. */
export class Outbox<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.post(items);
    });
  }
}

export function serializeError(error: unknown): SerializedError {
  const e = error as { name?: string; message?: string; field?: string; code?: string };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(error),
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}

/** A plain Error with the name and code the other thread saw. */
export function plainError(error: SerializedError): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  return Object.assign(revived, error.code !== undefined ? { code: error.code } : {});
}

export interface WorkerClient {
  /** What the worker answered at its start. */
  readonly hello: unknown;
  call(method: string, args: unknown[]): Promise<unknown>;
  terminate(): Promise<void>;
}

export interface WorkerClientOptions {
  /** Rebuild a typed error from the worker's (default: plainError). */
  revive?: (error: SerializedError) => Error;
  /** The error every waiting and later call fails with once the worker stopped. */
  stopped: (cause: Error) => Error;
}

/** Start `url` (a module calling serveOnThread) and resolve once it answered its start. */
export async function startWorker(url: URL, data: unknown, options: WorkerClientOptions): Promise<WorkerClient> {
  const revive = options.revive ?? plainError;
  const worker = new Worker(url, { workerData: data });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  const hello = await new Promise<unknown>((resolve, reject) => {
    worker.once('message', ([reply]: Reply[]) => (reply!.ok ? resolve(reply!.value) : reject(revive(reply!.error))));
    worker.once('error', reject);
  });
  worker.on('message', (replies: Reply[]) => {
    for (const reply of replies) {
      const call = pending.get(reply.id);
      if (!call) continue;
      pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(revive(reply.error));
    }
  });
  const postOne = (item: Call) => {
    try {
      worker.postMessage([item]);
    } catch (error) {
      pending.get(item.id)?.reject(error as Error);
      pending.delete(item.id);
    }
  };
  const calls = new Outbox<Call>((items) => {
    try {
      worker.postMessage(items);
    } catch {
      // An argument that cannot cross threads fails its own call, not the batch or the process.
      for (const item of items) postOne(item);
    }
  });
  // A crashed worker fails every waiting and later call, never a hang.
  const fail = (error: Error) => {
    failure = options.stopped(error);
    for (const call of pending.values()) call.reject(failure);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));

  return {
    hello,
    call: (method, args) => {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        calls.push({ id, method, args });
      });
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/**
 * The worker side: build the object from workerData, answer the start with `hello(target)`, then run
 * every call's method and send its result (or error) back. A value that cannot cross threads fails its
 * own call, not the batch or the thread.
 */
export async function serveOnThread<T extends object>(
  create: (data: unknown) => T | Promise<T>,
  hello: (target: T) => unknown,
  prepare: (method: string, args: unknown[]) => unknown[] = (_method, args) => args,
): Promise<void> {
  const port = parentPort!;
  let target: T;
  try {
    target = await create(workerData);
    port.postMessage([{ id: 0, ok: true, value: hello(target) }] satisfies Reply[]);
  } catch (error) {
    port.postMessage([{ id: 0, ok: false, error: serializeError(error) }] satisfies Reply[]);
    process.exit(0);
  }
  const replies = new Outbox<Reply>((items) => {
    try {
      port.postMessage(items);
    } catch {
      for (const item of items) {
        try {
          port.postMessage([item]);
        } catch (error) {
          port.postMessage([{ id: item.id, ok: false, error: serializeError(error) }] satisfies Reply[]);
        }
      }
    }
  });
  const methods = target as unknown as Record<string, (...a: unknown[]) => unknown>;
  port.on('message', (calls: Call[]) => {
    for (const call of calls) {
      Promise.resolve()
        .then(() => {
          const method = methods[call.method];
          if (typeof method !== 'function') throw new Error(`no method ${call.method} on this thread`);
          return method.apply(target, prepare(call.method, call.args));
        })
        .then(
          (value) => replies.push({ id: call.id, ok: true, value }),
          (error: unknown) => replies.push({ id: call.id, ok: false, error: serializeError(error) }),
        );
    }
  });
}
