import { randomBytes } from 'node:crypto';

/** Prefixes of hookline's public ids; an id is `<prefix>_<26 Crockford base32 chars>` and never holds a `.`. */
export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'dlv' | 'tok' | 'et';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** `n` random bytes cut from a pool refilled 4 KiB at a time: one randomBytes call per id cost ~4 % CPU under load. */
function pooledRandom(n: number): Uint8Array {
  if (poolOffset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return bytes;
}

/**
 * A ULID-shaped id: 48 bits of milliseconds then 80 random bits, so ids sort by creation time
 * (the store's keyset pages rely on that only as a tie-breaker, never as the clock).
 */
export function newId(prefix: IdPrefix, nowMs: number, random: (n: number) => Uint8Array = pooledRandom): string {
  let out = '';
  let t = Math.floor(nowMs);
  for (let i = 9; i >= 0; i--) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  const bytes = random(10);
  // 80 bits → 16 base32 chars, 5 bits at a time.
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return `${prefix}_${out}`;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{1,64}$/;

/** True when `value` has the shape of an id with `prefix` (it may still not exist). */
export function isId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
