import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { isBlockedAddress } from '../core/address-policy.js';
import { settleWithin } from '../core/deadline.js';
import { type HostResolver, sharedResolver } from './host-resolver.js';

/** An endpoint's host is or resolves to an address the policy refuses. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'EADDRBLOCKED';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net.connect / tls.connect. */
export type ConnectLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for net.connect through `resolver`. With `guard`, the host is refused if ANY of its addresses is
 * blocked, and the socket gets exactly the addresses that were checked (no DNS rebinding in between).
 */
export function connectLookup(resolver: HostResolver, guard: boolean): ConnectLookup {
  return (hostname, options, callback) => {
    resolver.resolve(hostname, (error, addresses) => {
      if (error) return callback(error, '');
      const blocked = guard ? addresses.find((a) => isBlockedAddress(a.address)) : undefined;
      if (blocked) {
        return callback(new BlockedAddressError(`${hostname} resolves to a refused address ${blocked.address}`), '');
      }
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const list = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
      if (list.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '');
      }
      if (options.all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Why a URL's host cannot be an endpoint's because of what it resolves to now (any address refused), or
 * null. A name that does not resolve (or not within `timeoutMs`) is accepted: every attempt checks again.
 */
export async function checkResolvedHost(
  host: string,
  timeoutMs = 2_000,
  resolve: (host: string) => Promise<Array<{ address: string }>> = (name) => sharedResolver().resolveAsync(name),
): Promise<string | null> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return null; // a literal: checkEndpointUrl judged it
  const addresses = await settleWithin(resolve(bare).catch(() => null), timeoutMs, () => null);
  const blocked = addresses?.find((a) => isBlockedAddress(a.address));
  return blocked ? `resolves to a private, loopback or reserved address (${blocked.address})` : null;
}
