import { parentPort, type Transferable, Worker, workerData } from 'node:worker_threads';

/**
 * Method calls to an object living on another thread (the SQLite store, the delivery thread), as plain
 * structured-clone messages over a Worker or a MessagePort. Calls, replies and events cross as one array
 * per event-loop turn: a `postMessage` per call cost ≈4 % of the main thread under load. Hand-written: the
 * common libraries (comlink, piscina) post a message per call or run a task pool, and neither batches per
 * turn nor lets the serving side push events.
 */

/** One method call sent to the serving thread. */
export interface Call {
  id: number;
  method: string;
  args: unknown[];
}

/**
 * What the serving side sends: the answer to a call (id 0 answers a worker's start), or an event it pushes on
 * its own (id -1).
 */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError }
  | { id: -1; event: string; value: unknown };

export interface SerializedError {
  name: string;
  message: string;
  field?: string;
  code?: string;
}

/** A Worker from the parent's side, a MessagePort, or parentPort from the worker's side. */
interface Endpoint {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
}

/** Messages to the other thread, sent as one array per event-loop turn. */
export class Outbox<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (items: T[]) => void) {}

  push(...items: T[]): void {
    this.items.push(...items);
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

export interface RpcClient {
  /** Call `method` on the other side. */
  call(method: string, args: unknown[]): Promise<unknown>;
  /** Fail every waiting and later call with `error` (the other side is gone). */
  fail(error: Error): void;
}

export interface RpcClientOptions {
  /** Rebuild a typed error from the other side's (default: plainError). */
  revive?: (error: SerializedError) => Error;
  /** Events the serving side pushes. */
  onEvent?: (event: string, value: unknown) => void;
}

/** The calling side over `endpoint`. */
export function rpcClient(endpoint: Endpoint, options: RpcClientOptions = {}): RpcClient {
  const revive = options.revive ?? plainError;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  endpoint.on('message', (replies) => {
    for (const reply of replies as Reply[]) {
      if ('event' in reply) {
        options.onEvent?.(reply.event, reply.value);
        continue;
      }
      const call = pending.get(reply.id);
      if (!call) continue;
      pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(revive(reply.error));
    }
  });
  const postOne = (item: Call) => {
    try {
      endpoint.postMessage([item]);
    } catch (error) {
      pending.get(item.id)?.reject(error as Error);
      pending.delete(item.id);
    }
  };
  const calls = new Outbox<Call>((items) => {
    try {
      endpoint.postMessage(items);
    } catch {
      // An argument that cannot cross threads fails its own call, not the batch or the process.
      for (const item of items) postOne(item);
    }
  });

  return {
    call: (method, args) => {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        calls.push({ id, method, args });
      });
    },
    fail: (error) => {
      failure = error;
      for (const call of pending.values()) call.reject(error);
      pending.clear();
    },
  };
}

export interface WorkerClient {
  call(method: string, args: unknown[]): Promise<unknown>;
  terminate(): Promise<void>;
}

export interface WorkerClientOptions extends RpcClientOptions {
  /** The error every waiting and later call fails with once the worker stopped (called once, with the first cause). */
  stopped: (cause: Error) => Error;
  /** Moved to the worker with its data (ports). */
  transfer?: Transferable[];
}

/** Start `url` (a module calling serveOnThread) and resolve once it answered its start. */
export async function startWorker(url: URL, data: unknown, options: WorkerClientOptions): Promise<WorkerClient> {
  const revive = options.revive ?? plainError;
  const worker = new Worker(url, { workerData: data, transferList: options.transfer });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', ([reply]: Reply[]) =>
      'event' in reply! ? reject(new Error('event before start')) : reply!.ok ? resolve() : reject(revive(reply!.error)),
    );
    worker.once('error', reject);
  });
  const client = rpcClient(worker, options);
  // A crashed worker fails every waiting and later call, never a hang. A crash reports twice ('error' with
  // its cause, then 'exit'): the first says why, so only it counts.
  let ended = false;
  const fail = (error: Error) => {
    if (ended) return;
    ended = true;
    client.fail(options.stopped(error));
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  return {
    call: client.call,
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/** Push an event to the calling side (delivered in order with the replies of the same turn). */
export type Emit = (event: string, value: unknown) => void;

/**
 * The serving side over `endpoint`: run every call's method on `target` and send its result (or error)
 * back. A value that cannot cross threads fails its own call, not the batch or the thread. Returns the
 * function that pushes events to the caller.
 */
export function serveRpc(
  endpoint: Endpoint,
  target: object,
  prepare: (method: string, args: unknown[]) => unknown[] = (_method, args) => args,
): Emit {
  const replies = new Outbox<Reply>((items) => {
    try {
      endpoint.postMessage(items);
    } catch {
      for (const item of items) {
        try {
          endpoint.postMessage([item]);
        } catch (error) {
          if ('event' in item) throw error; // an event is built here, from plain values: a bug, not input
          endpoint.postMessage([{ id: item.id, ok: false, error: serializeError(error) }] satisfies Reply[]);
        }
      }
    }
  });
  const methods = target as Record<string, (...a: unknown[]) => unknown>;
  endpoint.on('message', (calls) => {
    for (const call of calls as Call[]) {
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
  return (event, value) => replies.push({ id: -1, event, value });
}

/**
 * The worker side: build the object from workerData (with the function that pushes events to the parent),
 * answer the start, then serve its methods.
 */
export async function serveOnThread<T extends object>(create: (data: unknown, emit: Emit) => T | Promise<T>): Promise<void> {
  const port = parentPort!;
  let target: T;
  const early: Array<[string, unknown]> = []; // events pushed while starting go out once serving
  let emit: Emit = (event, value) => void early.push([event, value]);
  try {
    target = await create(workerData, (event, value) => emit(event, value));
    port.postMessage([{ id: 0, ok: true, value: null }] satisfies Reply[]);
  } catch (error) {
    port.postMessage([{ id: 0, ok: false, error: serializeError(error) }] satisfies Reply[]);
    process.exit(0);
  }
  emit = serveRpc(port, target);
  for (const [event, value] of early) emit(event, value);
}
