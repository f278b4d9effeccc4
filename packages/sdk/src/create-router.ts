import { type RouterOptions, WebhookRouter } from './router.js';
import { verifyWebhook } from './verify.js';

/**
 * A typed event router that verifies with node:crypto.
 *
 * @example
 * const hooks = createRouter<{ 'order.paid': Order }>({ secret: process.env.HOOKLINE_SECRET! });
 * hooks.on('order.paid', async (order, meta) => fulfil(order, meta.id));
 */
export function createRouter<E extends object = Record<string, unknown>>(
  options: RouterOptions,
): WebhookRouter<E> {
  return new WebhookRouter<E>(verifyWebhook, options);
}
