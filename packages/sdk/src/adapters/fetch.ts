/**
 * Web-standard adapter: `Request` in, `Response` out. Serves Hono (`c.req.raw`), Next.js App Router
 * route handlers, Bun.serve, Deno.serve and Cloudflare Workers. No `node:` imports.
 */
import {
  DEFAULT_MAX_BODY_BYTES,
  errorAnswer,
  errorResponse,
  PayloadTooLargeError,
  type ReceiveOptions,
  type WebhookReceiver,
  type WebhookResponse,
} from '../receiver.js';

/** Options of the web-standard adapter. */
export interface FetchAdapterOptions extends ReceiveOptions {
  /** Largest body read; larger requests get 413. Default 5 MiB. */
  maxBodyBytes?: number;
}

/** Reads a request's body as bytes, refusing more than `limit` bytes without buffering them. */
export async function readRequestBody(request: Request, limit = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function toResponse(answer: WebhookResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Answers one web-standard webhook request with `receiver` (usually a router). */
export async function handleRequest(
  receiver: WebhookReceiver,
  request: Request,
  options: FetchAdapterOptions = {},
): Promise<Response> {
  if (request.method !== 'POST') {
    return toResponse(errorAnswer('method_not_allowed', 'use POST', { allow: 'POST' }));
  }
  let body: Uint8Array;
  try {
    if (request.bodyUsed) {
      throw new TypeError(
        'the request body was already read (e.g. by c.req.json() or request.text()): pass the untouched request, the signature covers its raw bytes',
      );
    }
    body = await readRequestBody(request, options.maxBodyBytes);
  } catch (error) {
    return toResponse(errorResponse(error));
  }
  return toResponse(await receiver.receive(body, request.headers, options));
}

/** A `(request) => Promise<Response>` handler: `export default { fetch: createFetchHandler(hooks) }`. */
export function createFetchHandler(
  receiver: WebhookReceiver,
  options: FetchAdapterOptions = {},
): (request: Request) => Promise<Response> {
  return (request) => handleRequest(receiver, request, options);
}

/** Options of {@link createNextRouteHandler}. */
export interface NextRouteHandlerOptions {
  /** Next.js `after` from `next/server`, so `ackFirst` work outlives the response. */
  after?: (work: Promise<unknown>) => void;
  maxBodyBytes?: number;
}

/**
 * A Next.js App Router route handler: `export const POST = createNextRouteHandler(hooks, { after })`
 * in `app/api/webhooks/route.ts`. App Router hands over an untouched `Request`, so no body config is needed.
 */
export function createNextRouteHandler(
  receiver: WebhookReceiver,
  options: NextRouteHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const { after, maxBodyBytes } = options;
  return createFetchHandler(receiver, { waitUntil: after, maxBodyBytes });
}
