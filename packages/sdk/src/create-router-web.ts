import { type RouterOptions, WebhookRouter } from './router.js';
import { verifyWebhookAsync } from './verify-async.js';

/** A typed event router that verifies with web crypto (edge runtimes, Deno, Bun); no `node:` imports. */
export function createRouter<E extends object = Record<string, unknown>>(
  options: RouterOptions,
): WebhookRouter<E> {
  return new WebhookRouter<E>(verifyWebhookAsync, options);
}
