import { hash, randomBytes } from 'node:crypto';

/** Every app-scoped token starts with this, so a stray admin token is never looked up in the store. */
export const APP_TOKEN_PREFIX = 'hk_app_';

/** A new app-scoped API token: the prefix and 32 random bytes (base64url). Shown once, stored as a hash. */
export function newAppToken(random: (n: number) => Uint8Array = randomBytes): string {
  return `${APP_TOKEN_PREFIX}${Buffer.from(random(32)).toString('base64url')}`;
}

/** The SHA-256 (lower-case hex) a token is stored and looked up by. */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}
