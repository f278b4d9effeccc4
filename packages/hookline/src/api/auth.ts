import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';
import type { Access, Principal } from './route.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Bearer-token check; tokens are compared as SHA-256 digests in constant time. */
export function makeAuthorizer(adminToken: string) {
  const adminDigest = sha256(adminToken);
  return async (authorization: string | undefined, access: Access): Promise<Principal | null> => {
    if (access === 'public') return null;
    const header = authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new HttpError('unauthorized', 'send Authorization: Bearer <token>');
    if (timingSafeEqual(sha256(match[1]!), adminDigest)) return { kind: 'admin' };
    throw new HttpError('unauthorized', 'the bearer token is not valid');
  };
}
