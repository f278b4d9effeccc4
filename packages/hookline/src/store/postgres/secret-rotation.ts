import { rotateSecrets } from '../../core/secrets.js';
import type { Endpoint, SecretRotation } from '../types.js';
import type { PostgresContext } from './context.js';
import { type EndpointRow, toEndpoint } from './rows.js';
import { LOCK_ENDPOINT, NOTIFY_ENDPOINTS_CHANGED } from './statements.js';
import { SET_ENDPOINT_SECRETS } from './statements-manage.js';

/** Rotate with the endpoint row locked, so two concurrent rotations (two processes) cannot lose a secret. */
export function rotateEndpointSecret(
  ctx: PostgresContext,
  appId: string,
  endpointId: string,
  rotation: SecretRotation,
): Promise<Endpoint | null> {
  return ctx.transaction(async (tx) => {
    const [row] = (await tx.query<EndpointRow>(LOCK_ENDPOINT, [appId, endpointId])).rows;
    if (!row) return null;
    const secrets = rotateSecrets(toEndpoint(row).secrets, rotation.secret, rotation.now, rotation.previousUntil);
    const { rows } = await tx.query<EndpointRow>(SET_ENDPOINT_SECRETS, [
      appId,
      endpointId,
      JSON.stringify(secrets),
      rotation.now,
    ]);
    await tx.query(NOTIFY_ENDPOINTS_CHANGED, [[endpointId]]);
    return toEndpoint(rows[0]!);
  });
}
