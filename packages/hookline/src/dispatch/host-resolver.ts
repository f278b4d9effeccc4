import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** What a name resolves to, or why it does not. */
export type ResolveCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** How a resolver asks the system (node:dns `lookup` with `all: true`; tests give another). */
export type SystemLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface HostResolverOptions {
  lookup?: SystemLookup;
  /** How long an answer is used before it is asked again. */
  ttlMs?: number;
  /** How long past `ttlMs` an answer is still used while a new lookup runs (or after one failed for a while). */
  staleMs?: number;
  /** How long a failure (NXDOMAIN, resolver down) is answered from memory. */
  errorTtlMs?: number;
  /** System lookups running at once (each holds one of libuv's 4 pool threads until it returns). */
  concurrency?: number;
  /** Names waiting for a lookup; one more fails at once instead of queueing. */
  maxWaitingHosts?: number;
  /** Connections waiting on one name's lookup; one more fails at once. */
  maxWaitersPerHost?: number;
  /** Names remembered (the oldest is forgotten first). */
  maxHosts?: number;
  clock?: () => number;
}

interface Answer {
  addresses: LookupAddress[] | null;
  error: NodeJS.ErrnoException | null;
  /** Until then the answer is given as it is. */
  refreshAt: number;
  /** Until then a list of addresses is still given while a new lookup runs. */
  usableUntil: number;
}

interface Pending {
  host: string;
  waiters: ResolveCallback[];
}

/**
 * Name resolution for the delivery thread, written here because no maintained library does all of it
 * (undici's dns interceptor and cacheable-lookup neither bound what waits nor keep answers for refusals).
 * `dns.lookup` runs on libuv's 4-thread pool and cannot be cancelled: an attempt that gives up leaves its
 * lookup queued there, so dead names used to pile up, hold memory, and starve every other lookup of the
 * process. Here each name has at most one lookup under way, shared by everyone who waits for it; answers
 * (failures too) are kept for a short while; at most `concurrency` lookups run, names that answered before
 * go first, and what cannot wait within the bounds fails at once (the attempt is retried on schedule).
 */
export class HostResolver {
  private readonly lookup: SystemLookup;
  private readonly clock: () => number;
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly errorTtlMs: number;
  private readonly concurrency: number;
  private readonly maxWaitingHosts: number;
  private readonly maxWaitersPerHost: number;
  private readonly maxHosts: number;
  private readonly answers = new Map<string, Answer>();
  private readonly pending = new Map<string, Pending>();
  /** Names that answered with addresses before: looked up ahead of the others. */
  private readonly known: Pending[] = [];
  private readonly others: Pending[] = [];
  private running = 0;

  constructor(options: HostResolverOptions = {}) {
    this.lookup = options.lookup ?? (dnsLookup as SystemLookup);
    this.clock = options.clock ?? Date.now;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.staleMs = options.staleMs ?? 10 * 60_000;
    this.errorTtlMs = options.errorTtlMs ?? 10_000;
    this.concurrency = options.concurrency ?? 2;
    this.maxWaitingHosts = options.maxWaitingHosts ?? 128;
    this.maxWaitersPerHost = options.maxWaitersPerHost ?? 32;
    this.maxHosts = options.maxHosts ?? 10_000;
  }

  /** The addresses of `hostname` (a name, not an IP literal); the callback always runs on a later tick. */
  resolve(hostname: string, callback: ResolveCallback): void {
    const host = hostname.toLowerCase();
    const now = this.clock();
    const answer = this.answers.get(host);
    if (answer && now < answer.refreshAt) return reply(callback, answer.error, answer.addresses);
    if (answer?.addresses && now < answer.usableUntil) {
      this.start(host, true); // use what worked, and ask again behind it
      this.pump();
      return reply(callback, null, answer.addresses);
    }
    const under = this.pending.get(host) ?? this.start(host, Boolean(answer?.addresses));
    if (!under) return reply(callback, busy(`${this.maxWaitingHosts} names are waiting for DNS`), null);
    if (under.waiters.length >= this.maxWaitersPerHost) {
      return reply(callback, busy(`${this.maxWaitersPerHost} connections are waiting for ${host}`), null);
    }
    under.waiters.push(callback);
    this.pump();
  }

  /** `resolve` as a promise. */
  resolveAsync(hostname: string): Promise<LookupAddress[]> {
    return new Promise((resolve, reject) =>
      this.resolve(hostname, (error, addresses) => (error ? reject(error) : resolve(addresses))),
    );
  }

  /** Lookups running and names waiting for one (for tests and health). */
  get backlog(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.known.length + this.others.length };
  }

  /** Queue a lookup of `host` unless one is under way (`pump` starts it); null when too many names wait. */
  private start(host: string, answeredBefore: boolean): Pending | null {
    const existing = this.pending.get(host);
    if (existing) return existing;
    if (this.known.length + this.others.length >= this.maxWaitingHosts) return null;
    const entry: Pending = { host, waiters: [] };
    this.pending.set(host, entry);
    (answeredBefore ? this.known : this.others).push(entry);
    return entry;
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const next = this.known.shift() ?? this.others.shift();
      if (!next) return;
      this.running++;
      this.lookup(next.host, { all: true }, (error, addresses) => {
        this.running--;
        this.pending.delete(next.host);
        const answer = this.remember(next.host, error, addresses);
        for (const waiter of next.waiters) waiter(answer.error, answer.addresses ?? []);
        this.pump();
      });
    }
  }

  private remember(host: string, error: NodeJS.ErrnoException | null, addresses: LookupAddress[]): Answer {
    const now = this.clock();
    const before = this.answers.get(host);
    let answer: Answer;
    if (!error && addresses.length > 0) {
      answer = { addresses, error: null, refreshAt: now + this.ttlMs, usableUntil: now + this.ttlMs + this.staleMs };
    } else if (before?.addresses && now < before.usableUntil && !isDefinite(error)) {
      // The resolver is having trouble, the name did not vanish: keep using what worked, ask again later.
      answer = { ...before, refreshAt: now + this.errorTtlMs };
    } else {
      const failure = error ?? Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
      answer = { addresses: null, error: failure, refreshAt: now + this.errorTtlMs, usableUntil: 0 };
    }
    this.answers.delete(host);
    if (this.answers.size >= this.maxHosts) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(host, answer);
    return answer;
  }
}

/** NXDOMAIN or no record of the kind: the name is gone, not the resolver. */
function isDefinite(error: NodeJS.ErrnoException | null): boolean {
  return error === null || error.code === 'ENOTFOUND' || error.code === 'ENODATA';
}

function busy(why: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`DNS busy: ${why}`), { code: 'EDNSBUSY' });
}

function reply(callback: ResolveCallback, error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | null) {
  process.nextTick(callback, error, addresses ?? []);
}

let shared: HostResolver | null = null;

/** This thread's resolver (each thread keeps its own; the pool threads they share are bounded by each). */
export function sharedResolver(): HostResolver {
  shared ??= new HostResolver();
  return shared;
}
