import { lookup as dnsLookup, type LookupAddress, Resolver } from 'node:dns';

/** What a name resolves to, or why it does not. */
export type ResolveCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** The system's resolver (node:dns `lookup` with `all: true`: /etc/hosts, search domains, NSS). */
export type SystemLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A DNS query for one family's records (node:dns Resolver's resolve4 / resolve6, as addresses). */
export type DnsQuery = (
  hostname: string,
  family: 4 | 6,
  callback: (error: NodeJS.ErrnoException | null, addresses: string[]) => void,
) => void;

export interface HostResolverOptions {
  query?: DnsQuery;
  lookup?: SystemLookup;
  /** How long an answer is used before it is asked again. */
  ttlMs?: number;
  /** How long past `ttlMs` an answer is still used while a new lookup runs (or while the resolver fails). */
  staleMs?: number;
  /** How long a failure (no such name, resolver down) is answered from memory. */
  errorTtlMs?: number;
  /** Names resolved over DNS at once (these queries run on the event loop, with their own timeouts). */
  concurrency?: number;
  /** System lookups at once: each holds one of libuv's 4 pool threads, shared by the process, until it returns. */
  systemConcurrency?: number;
  /** How long connections wait for a system lookup before they are told it failed (it may still be running). */
  systemWaitMs?: number;
  /** Names waiting for a lookup; one more fails at once instead of queueing. */
  maxWaitingHosts?: number;
  /** Connections waiting on one name; one more fails at once (an endpoint's pool has 256 at most). */
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
  /** Settled (waiters told); a late system answer is still remembered. */
  done: boolean;
}

/** After one family's addresses arrive, how long the other family's query may still add its own. */
const OTHER_FAMILY_GRACE_MS = 50;

/**
 * Name resolution for the delivery thread, written here because no maintained library bounds it (undici's dns
 * interceptor and cacheable-lookup keep no failures and bound nothing). Names are asked over DNS first
 * (node:dns Resolver: on the event loop, with timeouts, many at once), so one tenant's slow or dead names
 * cannot hold another's lookups; only a name DNS does not know (an /etc/hosts entry, a search-domain name)
 * goes to the system's `lookup`, which runs on libuv's small, process-wide thread pool and cannot be
 * cancelled: those run one at a time per thread, and their waiters give up after `systemWaitMs`.
 * Each name has one lookup under way, shared by all who wait for it; answers (failures too) are kept for a
 * short while, a known name's answer is used while it is asked again, names that answered before go first,
 * and what cannot wait within the bounds fails at once (the attempt is retried on schedule).
 */
export class HostResolver {
  private readonly query: DnsQuery;
  private readonly lookup: SystemLookup;
  private readonly clock: () => number;
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly errorTtlMs: number;
  private readonly concurrency: number;
  private readonly systemConcurrency: number;
  private readonly systemWaitMs: number;
  private readonly maxWaitingHosts: number;
  private readonly maxWaitersPerHost: number;
  private readonly maxHosts: number;
  private readonly answers = new Map<string, Answer>();
  private readonly pending = new Map<string, Pending>();
  /** Names that answered with addresses before: asked ahead of the others. */
  private readonly known: Pending[] = [];
  private readonly others: Pending[] = [];
  private readonly systemQueue: Pending[] = [];
  private running = 0;
  private systemRunning = 0;

  constructor(options: HostResolverOptions = {}) {
    this.query = options.query ?? dnsQuery();
    this.lookup = options.lookup ?? (dnsLookup as SystemLookup);
    this.clock = options.clock ?? Date.now;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.staleMs = options.staleMs ?? 10 * 60_000;
    this.errorTtlMs = options.errorTtlMs ?? 10_000;
    this.concurrency = options.concurrency ?? 32;
    this.systemConcurrency = options.systemConcurrency ?? 1;
    this.systemWaitMs = options.systemWaitMs ?? 5_000;
    this.maxWaitingHosts = options.maxWaitingHosts ?? 256;
    this.maxWaitersPerHost = options.maxWaitersPerHost ?? 256;
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
    const under = this.start(host, Boolean(answer?.addresses));
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

  /** Names being resolved and waiting to be, over DNS and through the system (for tests and health). */
  get backlog(): { running: number; waiting: number; system: number } {
    return {
      running: this.running,
      waiting: this.known.length + this.others.length,
      system: this.systemRunning + this.systemQueue.length,
    };
  }

  /**
   * Queue a lookup of `host` unless one is under way (`pump` starts it); null when too many names wait. A
   * name that answered before is queued whatever the bound, so its answer can always be renewed.
   */
  private start(host: string, answeredBefore: boolean): Pending | null {
    const existing = this.pending.get(host);
    if (existing) return existing;
    if (!answeredBefore && this.known.length + this.others.length >= this.maxWaitingHosts) return null;
    const entry: Pending = { host, waiters: [], done: false };
    this.pending.set(host, entry);
    (answeredBefore ? this.known : this.others).push(entry);
    return entry;
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const next = this.known.shift() ?? this.others.shift();
      if (!next) return;
      this.running++;
      this.askDns(next.host, (error, addresses) => {
        this.running--;
        if (error && isDefinite(error)) this.askSystem(next); // not in DNS: maybe /etc/hosts or a search domain
        else this.settle(next, error, addresses);
        this.pump();
      });
    }
  }

  /** A and AAAA records at once; the second family gets a moment after the first answers with addresses. */
  private askDns(host: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) {
    const found: Record<4 | 6, LookupAddress[] | null> = { 4: null, 6: null };
    const failed: NodeJS.ErrnoException[] = [];
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(grace);
      const addresses = [...(found[4] ?? []), ...(found[6] ?? [])];
      if (addresses.length > 0) return callback(null, addresses);
      // Say why in the resolver's own words; a failure of the server outranks "no such name".
      callback(failed.find((e) => !isDefinite(e)) ?? failed[0] ?? notFound(host), []);
    };
    for (const family of [4, 6] as const) {
      this.query(host, family, (error, list) => {
        if (error) failed.push(error);
        found[family] = error ? [] : list.map((address) => ({ address, family }));
        if (found[4] !== null && found[6] !== null) return finish();
        if (!error && list.length > 0) grace ??= setTimeout(finish, OTHER_FAMILY_GRACE_MS);
      });
    }
  }

  private askSystem(entry: Pending): void {
    if (this.systemQueue.length >= this.maxWaitingHosts) {
      return this.settle(entry, busy(`${this.maxWaitingHosts} names are waiting for the system resolver`), []);
    }
    this.systemQueue.push(entry);
    // Waiters are told after systemWaitMs; the lookup itself holds its slot until it returns.
    setTimeout(() => {
      this.settle(entry, Object.assign(new Error(`lookup of ${entry.host} timed out`), { code: 'EAI_AGAIN', hostname: entry.host }), []);
    }, this.systemWaitMs);
    this.pumpSystem();
  }

  private pumpSystem(): void {
    while (this.systemRunning < this.systemConcurrency) {
      const next = this.systemQueue.shift();
      if (!next) return;
      if (next.done) continue; // its waiters gave up while it queued
      this.systemRunning++;
      this.lookup(next.host, { all: true }, (error, addresses) => {
        this.systemRunning--;
        if (next.done) this.remember(next.host, error, addresses ?? []);
        else this.settle(next, error, addresses ?? []);
        this.pumpSystem();
      });
    }
  }

  private settle(entry: Pending, error: NodeJS.ErrnoException | null, addresses: LookupAddress[]): void {
    if (entry.done) return;
    entry.done = true;
    if (this.pending.get(entry.host) === entry) this.pending.delete(entry.host);
    const answer = this.remember(entry.host, error, addresses);
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const waiter of waiters) waiter(answer.error, answer.addresses ?? []);
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
      answer = { addresses: null, error: error ?? notFound(host), refreshAt: now + this.errorTtlMs, usableUntil: 0 };
    }
    this.answers.delete(host);
    if (this.answers.size >= this.maxHosts) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(host, answer);
    return answer;
  }
}

/** NXDOMAIN or no record of the kind: the name is not there, rather than the resolver failing. */
function isDefinite(error: NodeJS.ErrnoException | null): boolean {
  return error === null || error.code === 'ENOTFOUND' || error.code === 'ENODATA';
}

function notFound(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND', hostname: host });
}

function busy(why: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`DNS busy: ${why}`), { code: 'EDNSBUSY' });
}

function reply(callback: ResolveCallback, error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | null) {
  process.nextTick(callback, error, addresses ?? []);
}

/** DNS queries through one c-ares resolver (the system's name servers, 2.5 s per try, 2 tries). */
function dnsQuery(): DnsQuery {
  const resolver = new Resolver({ timeout: 2_500, tries: 2 });
  return (hostname, family, callback) => {
    if (family === 4) resolver.resolve4(hostname, callback);
    else resolver.resolve6(hostname, callback);
  };
}

let shared: HostResolver | null = null;

/** This thread's resolver (each thread keeps its own; the pool threads they share are bounded by each). */
export function sharedResolver(): HostResolver {
  shared ??= new HostResolver();
  return shared;
}
