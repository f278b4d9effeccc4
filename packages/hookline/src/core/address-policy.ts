import { isIP } from 'node:net';

// Refused IPv4 ranges (CONTRACT.md, "Address policy"): [network, prefix length].
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['255.255.255.255', 32],
];

function v4ToInt(address: string): number {
  const parts = address.split('.').map(Number);
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

const BLOCKED_V4_INT = BLOCKED_V4.map(([net, len]) => {
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return { base: (v4ToInt(net) & mask) >>> 0, mask };
});

function isBlockedV4Int(value: number): boolean {
  return BLOCKED_V4_INT.some(({ base, mask }) => (value & mask) >>> 0 === base);
}

/** Parse an IPv6 literal (with optional embedded IPv4 tail and zone) into 8 16-bit groups. */
function parseV6(address: string): number[] | null {
  let text = address.split('%')[0]!;
  const groups: number[] = [];
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4Tail) {
    if (isIP(v4Tail[1]!) !== 4) return null;
    const n = v4ToInt(v4Tail[1]!);
    tail = [n >>> 16, n & 0xffff];
    text = text.slice(0, -v4Tail[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - rest.length - tail.length;
  if (halves.length === 1 && fill !== 0) return null;
  if (fill < 0) return null;
  groups.push(...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest, ...tail);
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : null;
}

function isBlockedV6(g: number[]): boolean {
  const embeddedV4 = ((g[6]! << 16) >>> 0) + g[7]!;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return true; // ::/128
  if (zeros(0, 7) && g[7] === 1) return true; // ::1/128
  if ((g[0]! & 0xfe00) === 0xfc00) return true; // fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10
  if ((g[0]! & 0xff00) === 0xff00) return true; // ff00::/8
  if (zeros(0, 5) && g[5] === 0xffff) return isBlockedV4Int(embeddedV4); // ::ffff:a.b.c.d (mapped)
  if (zeros(0, 6)) return isBlockedV4Int(embeddedV4); // ::a.b.c.d (compatible)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return isBlockedV4Int(embeddedV4); // 64:ff9b::/96 (NAT64)
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // 64:ff9b:1::/48 (local-use NAT64, RFC 8215)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return isBlockedV4Int(embeddedV4); // ::ffff:0:a.b.c.d (SIIT)
  if (g[0] === 0x2002) return isBlockedV4Int(((g[1]! << 16) >>> 0) + g[2]!); // 2002:a.b.c.d::/48 (6to4)
  if ((g[0]! & 0xffc0) === 0xfec0) return true; // fec0::/10 (site-local, deprecated)
  return false;
}

/**
 * True when an IP literal is one hookline must not connect to without `--allow-private-network`:
 * loopback, private, link-local, CGNAT, multicast, unspecified, reserved, and their IPv6-wrapped forms.
 * A string that is not an IP literal is not blocked here (hostnames are resolved and checked per attempt).
 */
export function isBlockedAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return isBlockedV4Int(v4ToInt(bare));
  if (family === 6) {
    const groups = parseV6(bare);
    return groups === null ? true : isBlockedV6(groups);
  }
  return false;
}

/** Why a URL cannot be an endpoint, or null when its form is acceptable. */
export function checkEndpointUrl(raw: string, allowPrivateNetwork: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hostname === '') return 'must have a host';
  if (raw.length > 2048) return 'is longer than 2048 characters';
  if (!allowPrivateNetwork) {
    const host = url.hostname;
    if (isBlockedAddress(host)) return 'points to a private, loopback or reserved address';
    const lower = host.toLowerCase().replace(/\.$/, ''); // `localhost.` (fully qualified) is the same host
    if (lower === 'localhost' || lower.endsWith('.localhost'))
      return 'points to a private, loopback or reserved address';
  }
  return null;
}
