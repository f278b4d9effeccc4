/**
 * Fastify adapter: an encapsulated plugin whose content-type parser keeps every body as the raw
 * Buffer, so the signed bytes reach the verifier; routes outside the plugin keep Fastify's JSON parser.
 * Fastify is not imported: the types below are the small part this uses.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_MAX_BODY_BYTES, type WebhookReceiver } from '../receiver.js';

/** The part of a Fastify request the route reads. */
export interface FastifyLikeRequest {
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** The part of a Fastify reply the route writes. */
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  headers(values: Record<string, string>): FastifyLikeReply;
  send(payload: string): FastifyLikeReply;
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLikeInstance {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void,
  ): void;
  post(
    path: string,
    handler: (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>,
  ): unknown;
}

/** Options of {@link createFastifyPlugin}. */
export interface FastifyPluginOptions {
  /** Route path inside the plugin (combine with `register`'s `prefix`). Default `/`. */
  path?: string;
  /** Largest body accepted; larger requests get Fastify's 413. Default 5 MiB. */
  bodyLimit?: number;
}

/**
 * A Fastify plugin that answers webhooks at `path`:
 * `await app.register(createFastifyPlugin(hooks), { prefix: '/webhooks' })`.
 * Do not wrap it in `fastify-plugin`: its raw-body parser must stay inside its own scope.
 */
export function createFastifyPlugin(
  receiver: WebhookReceiver,
  options: FastifyPluginOptions = {},
): (instance: FastifyLikeInstance) => Promise<void> {
  const { path = '/', bodyLimit = DEFAULT_MAX_BODY_BYTES } = options;
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    instance.post(path, async (request, reply) => {
      const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
      const answer = await receiver.receive(body, request.headers);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}
