import { rotateSecrets } from '../../core/secrets.js';
import type { Endpoint, SecretRotation } from '../types.js';
import type { SqliteContext } from './context.js';
import { type EndpointRow, toEndpoint } from './rows.js';
import { GET_ENDPOINT } from './statements.js';
import { SET_ENDPOINT_SECRETS } from './statements-manage.js';

/** Rotate inside one write so two concurrent rotations cannot lose a secret. */
export function rotateEndpointSecret(
  ctx: SqliteContext,
  appId: string,
  endpointId: string,
  rotation: SecretRotation,
): Promise<Endpoint | null> {
  return ctx.write(() => {
    ctx.endpointsChanged(); // fresh deliveries take their secrets from the cached endpoint
    const row = ctx.stmt(GET_ENDPOINT).get(appId, endpointId) as EndpointRow | undefined;
    if (!row) return null;
    const { secret, now, previousUntil } = rotation;
    const secrets = rotateSecrets(toEndpoint(row).secrets, secret, now, previousUntil);
    ctx.stmt(SET_ENDPOINT_SECRETS).run({
      secrets: JSON.stringify(secrets),
      updatedAt: rotation.now,
      appId,
      id: endpointId,
    });
    return toEndpoint(ctx.stmt(GET_ENDPOINT).get(appId, endpointId) as EndpointRow);
  });
}
