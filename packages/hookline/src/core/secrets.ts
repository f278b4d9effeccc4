import { randomBytes } from 'node:crypto';

export interface EndpointSecret {
  /** `whsec_…` */
  secret: string;
  /** When a rotated-out secret stops signing; null for the current one. */
  expiresAt: number | null;
}

/** A new `whsec_…` signing secret of 32 random bytes. */
export function generateSecret(random: (n: number) => Uint8Array = randomBytes): string {
  return `whsec_${Buffer.from(random(32)).toString('base64')}`;
}

/** True when `text` is a usable `whsec_` secret of 24–64 bytes. */
export function isValidSecret(text: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(text);
  if (!match) return false;
  const length = Buffer.from(match[1]!, 'base64').length;
  return length >= 24 && length <= 64;
}

/** Secrets that still sign at `now`: the current one and rotated-out ones within their overlap. */
export function activeSecrets(secrets: readonly EndpointSecret[], now: number): string[] {
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}
