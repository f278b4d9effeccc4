import { randomBytes } from 'node:crypto';
import { decodeSecret } from '@hookline/sdk';

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
  if (!text.startsWith('whsec_')) return false;
  try {
    // The SDK's strict decoding, so that every verifier reads the same key bytes as the signer.
    const length = decodeSecret(text).length;
    return length >= 24 && length <= 64;
  } catch {
    return false;
  }
}

/** Secrets that still sign at `now`: the current one and rotated-out ones within their overlap. */
export function activeSecrets(secrets: readonly EndpointSecret[], now: number): string[] {
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

/** How long a rotated-out secret keeps signing (CONTRACT.md: "old secret still signs for 24 h"). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** Most rotated-out secrets kept at once: each one adds a signature to every request. */
export const MAX_PREVIOUS_SECRETS = 4;

/**
 * The secrets after a rotation: `secret` becomes current, the old current one signs until `previousUntil`,
 * expired ones are dropped, and only the newest MAX_PREVIOUS_SECRETS rotated-out ones are kept.
 */
export function rotateSecrets(
  secrets: readonly EndpointSecret[],
  secret: string,
  now: number,
  previousUntil: number,
): EndpointSecret[] {
  const previous = secrets
    .filter((s) => s.secret !== secret)
    .map((s) => (s.expiresAt === null ? { secret: s.secret, expiresAt: previousUntil } : s))
    .filter((s) => s.expiresAt! > now)
    .sort((a, b) => b.expiresAt! - a.expiresAt!)
    .slice(0, MAX_PREVIOUS_SECRETS);
  return [{ secret, expiresAt: null }, ...previous];
}
