import type { ApiDeps } from './deps.js';
import { HttpError } from './errors.js';
import type { DefineRoute } from './route.js';
import { OperationalWebhookOut } from './schemas.js';

/** Where hookline sends its own events, and the secret to verify them with (admin only). */
export function operationalRoutes(route: DefineRoute, deps: ApiDeps): void {
  route({
    method: 'get',
    path: '/v1/operational-webhook',
    summary: "The operational webhook endpoint (--operational-webhook-url) and its signing secret",
    tag: 'Operational webhooks',
    access: 'admin',
    responses: { 200: { description: 'The operational webhook', schema: OperationalWebhookOut } },
    handler: async ({ c }) => {
      const info = await deps.operational?.describe();
      if (!info) {
        throw new HttpError(
          'operational_webhook_not_configured',
          'start hookline with --operational-webhook-url to receive operational webhooks',
        );
      }
      return c.json(info);
    },
  });
}
