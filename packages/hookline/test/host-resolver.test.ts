import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, it } from 'node:test';
import { connectLookup } from '../src/dispatch/address-guard.js';
import { HostResolver, type HostResolverOptions } from '../src/dispatch/host-resolver.js';

type Callback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * A resolver over fake DNS queries (and a fake system lookup) that answer only when the test says so, on a
 * fake clock. `answer` answers both families' queries of a name: A with its IPv4 addresses, AAAA with its IPv6.
 */
function resolverOnAFakeSystem(options: HostResolverOptions = {}) {
  let now = 0;
  const asked: string[] = [];
  const open = new Map<string, Array<{ family: 4 | 6; callback: (e: NodeJS.ErrnoException | null, a: string[]) => void }>>();
  const system = new Map<string, Callback[]>();
  const resolver = new HostResolver({
    ttlMs: 1_000,
    staleMs: 10_000,
    errorTtlMs: 500,
    ...options,
    clock: () => now,
    query: (host, family, callback) => {
      if (family === 4) asked.push(host);
      open.set(host, [...(open.get(host) ?? []), { family, callback }]);
    },
    lookup: (host, _options, callback) => {
      asked.push(`system:${host}`);
      system.set(host, [...(system.get(host) ?? []), callback]);
    },
  });
  const answer = (host: string, addresses: string[] | NodeJS.ErrnoException) => {
    const queries = open.get(host) ?? [];
    assert.ok(queries.length > 0, `a query of ${host} is under way`);
    open.delete(host);
    for (const { family, callback } of queries) {
      if (addresses instanceof Error) callback(addresses, []);
      else {
        const mine = addresses.filter((a) => (a.includes(':') ? 6 : 4) === family);
        callback(mine.length > 0 ? null : Object.assign(new Error('no data'), { code: 'ENODATA' }), mine);
      }
    }
  };
  const answerSystem = (host: string, addresses: string[] | NodeJS.ErrnoException) => {
    const callbacks = system.get(host) ?? [];
    assert.ok(callbacks.length > 0, `a system lookup of ${host} is under way`);
    system.delete(host);
    for (const callback of callbacks) {
      if (addresses instanceof Error) callback(addresses, []);
      else callback(null, addresses.map((address) => ({ address, family: 4 })));
    }
  };
  const resolve = (host: string) =>
    new Promise<{ error: string | null; addresses: string[] }>((done) =>
      resolver.resolve(host, (error, found) =>
        done({ error: error ? (error.code ?? error.message) : null, addresses: found.map((a) => a.address) }),
      ),
    );
  /** Resolve `host` once, DNS answering with `addresses`. */
  const resolved = async (host: string, addresses: string[]) => {
    const first = resolve(host);
    await settled();
    answer(host, addresses);
    return first;
  };
  return { resolver, asked, answer, answerSystem, resolve, resolved, advance: (ms: number) => (now += ms) };
}

const notFound = () => Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
const serverFailure = () => Object.assign(new Error('queryA ESERVFAIL'), { code: 'ESERVFAIL' });
const tryAgain = () => Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('host resolver (bounded, shared, remembered DNS lookups)', () => {
  it('shares one lookup among everyone asking for the same name, whatever its case', async () => {
    const { asked, answer, resolve } = resolverOnAFakeSystem();
    const waiting = [resolve('hooks.example'), resolve('HOOKS.example'), resolve('hooks.example')];
    await settled();
    answer('hooks.example', ['93.184.216.34']);
    for (const result of await Promise.all(waiting)) assert.deepEqual(result, { error: null, addresses: ['93.184.216.34'] });
    assert.deepEqual(asked, ['hooks.example']);
  });

  it('answers from memory for its time to live, then uses the old answer while it asks again', async () => {
    const { asked, answer, resolve, resolved, advance } = resolverOnAFakeSystem();
    await resolved('hooks.example', ['93.184.216.34']);
    advance(999);
    assert.deepEqual((await resolve('hooks.example')).addresses, ['93.184.216.34']);
    assert.equal(asked.length, 1, 'no lookup within the time to live');
    advance(1);
    assert.deepEqual((await resolve('hooks.example')).addresses, ['93.184.216.34'], 'no wait for the refresh');
    assert.equal(asked.length, 2, 'asked again behind it');
    answer('hooks.example', ['93.184.216.35']);
    assert.deepEqual((await resolve('hooks.example')).addresses, ['93.184.216.35'], 'the new answer from then on');
  });

  it('keeps the old addresses when the resolver fails for a while, not when the name is gone', async () => {
    const { answer, answerSystem, resolve, resolved, advance } = resolverOnAFakeSystem();
    await resolved('hooks.example', ['93.184.216.34']);
    advance(1_000);
    await resolve('hooks.example'); // starts a refresh
    answer('hooks.example', tryAgain());
    assert.deepEqual(await resolve('hooks.example'), { error: null, addresses: ['93.184.216.34'] });
    advance(500);
    await resolve('hooks.example');
    answer('hooks.example', notFound());
    await settled();
    answerSystem('hooks.example', notFound()); // DNS does not know it: the system is asked too
    await settled();
    assert.deepEqual(await resolve('hooks.example'), { error: 'ENOTFOUND', addresses: [] });
  });

  it('remembers a failure briefly, so a dead name costs one lookup per interval however often it is used', async () => {
    const { asked, answer, answerSystem, resolve, advance } = resolverOnAFakeSystem();
    const first = resolve('gone.example');
    await settled();
    answer('gone.example', notFound());
    await settled();
    answerSystem('gone.example', notFound());
    assert.equal((await first).error, 'ENOTFOUND');
    for (let i = 0; i < 50; i++) assert.equal((await resolve('gone.example')).error, 'ENOTFOUND');
    assert.deepEqual(asked, ['gone.example', 'system:gone.example'], 'one query, then one system lookup');
    advance(500);
    const again = resolve('gone.example');
    await settled();
    assert.equal(asked.length, 3, 'asked again after the failure expired');
    answer('gone.example', ['93.184.216.34']);
    assert.equal((await again).error, null, 'a name that comes back is used at once');
  });

  it('runs a bounded number of lookups, fails at once past its bounds, and looks up known names first', async () => {
    const { resolver, asked, answer, resolve, resolved, advance } = resolverOnAFakeSystem({
      concurrency: 1,
      maxWaitingHosts: 3,
      maxWaitersPerHost: 2,
    });
    await resolved('known.example', ['93.184.216.34']);
    advance(10_000 + 1_000); // past its time to live and its stale time: it must be looked up again

    const stuck = resolve('stuck.example'); // takes the one running slot, and hangs
    const dead = [resolve('dead-1.example'), resolve('dead-2.example')];
    const again = resolve('known.example');
    assert.deepEqual(resolver.backlog, { running: 1, waiting: 3, system: 0 });
    assert.deepEqual(await resolve('dead-3.example'), { error: 'EDNSBUSY', addresses: [] }, 'no fourth name waits');
    const sameName = [resolve('dead-1.example')];
    assert.deepEqual(await resolve('dead-1.example'), { error: 'EDNSBUSY', addresses: [] }, 'two connections wait at most');
    assert.deepEqual(asked, ['known.example', 'stuck.example']);

    answer('stuck.example', tryAgain());
    assert.equal((await stuck).error, 'EAI_AGAIN');
    await settled();
    assert.equal(asked[2], 'known.example', 'the name that answered before goes ahead of the new ones');
    answer('known.example', ['93.184.216.34']);
    assert.equal((await again).error, null);
    await settled();
    answer('dead-1.example', serverFailure());
    await settled();
    answer('dead-2.example', serverFailure());
    for (const result of await Promise.all([...dead, ...sameName])) assert.equal(result.error, 'ESERVFAIL');
    assert.deepEqual(resolver.backlog, { running: 0, waiting: 0, system: 0 });
  });

  it('asks the system only for names DNS does not know, one at a time, and does not keep waiters on a hung one', async () => {
    const { resolver, asked, answer, answerSystem, resolve } = resolverOnAFakeSystem({ systemWaitMs: 20 });
    const local = resolve('receiver'); // an /etc/hosts or search-domain name
    await settled();
    answer('receiver', notFound());
    await settled();
    const other = resolve('also-local');
    await settled();
    answer('also-local', notFound());
    await settled();
    assert.deepEqual(asked, ['receiver', 'system:receiver', 'also-local'], 'one system lookup at a time');
    // The system lookup hangs: its waiters are told so, DNS names keep resolving meanwhile.
    const dnsName = resolve('hooks.example');
    await settled();
    answer('hooks.example', ['93.184.216.34']);
    assert.deepEqual(await dnsName, { error: null, addresses: ['93.184.216.34'] });
    assert.equal((await local).error, 'EAI_AGAIN');
    assert.equal((await other).error, 'EAI_AGAIN');
    answerSystem('receiver', ['10.0.0.9']); // it returns at last: remembered, and the next one runs
    await settled();
    assert.deepEqual(await resolve('receiver'), { error: null, addresses: ['10.0.0.9'] });
    assert.equal(resolver.backlog.system, 0, 'the queued lookup whose waiters gave up is not run');
  });

  it('gives a connection only addresses the policy allows, and those of the family it asks for', async () => {
    const { answer, resolver } = resolverOnAFakeSystem();
    const lookup = connectLookup(resolver, true);
    const ask = (host: string, options: { family?: number; all?: boolean }) =>
      new Promise<{ error: string | null; address: unknown }>((done) =>
        lookup(host, options, (error, address) => done({ error: error ? error.message : null, address })),
      );
    const mixed = ask('mixed.example', { all: true });
    await settled();
    answer('mixed.example', ['93.184.216.34', '10.0.0.7']);
    assert.match((await mixed).error ?? '', /refused address 10\.0\.0\.7/);
    const dual = ask('dual.example', { family: 6 });
    await settled();
    answer('dual.example', ['93.184.216.34', '2606:2800:220:1::1']);
    assert.deepEqual(await dual, { error: null, address: '2606:2800:220:1::1' });
    assert.deepEqual((await ask('dual.example', { all: true })).address, [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    const open = connectLookup(resolver, false);
    const inside = await new Promise<unknown>((done) => open('mixed.example', {}, (_e, address) => done(address)));
    assert.equal(inside, '93.184.216.34', 'with --allow-private-network every address is used');
  });
});
