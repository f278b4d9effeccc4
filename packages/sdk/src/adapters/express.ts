/**
 * Express adapter. It needs the body bytes untouched: mount it before `express.json()` (or on its own
 * route), either after `express.raw({ type: '*\/*' })` or with no body parser at all (it then reads
 * the stream itself). Express is not imported: the types below are the small part this uses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookReceiver } from '../receiver.js';
import { type NodeAdapterOptions, readRawBody, sendNodeResponse, sendReadFailure } from './node-http.js';

/** The part of Express's `req` this adapter reads; `req.body` is set by body parsers. */
export type ExpressLikeRequest = IncomingMessage & { body?: unknown };

/** An Express `(req, res, next)` middleware. */
export type ExpressLikeHandler = (
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => Promise<void>;

/** Thrown (passed to `next`) when a JSON body parser ran first and the raw bytes are gone. */
export class RawBodyUnavailableError extends Error {
  override readonly name = 'RawBodyUnavailableError';
  readonly code = 'raw_body_unavailable';

  constructor() {
    super(
      'the webhook body was already parsed, so its signed bytes are gone: mount the hookline handler ' +
        "before express.json(), or put express.raw({ type: '*/*' }) in front of it",
    );
  }
}

function bodyAlreadyRead(req: ExpressLikeRequest): boolean {
  // Body parsers consume the whole stream; an untouched stream is still ours to read.
  return req.readableEnded;
}

/**
 * An Express middleware answering webhook requests:
 * `app.post('/webhooks', express.raw({ type: '*\/*' }), createExpressHandler(hooks))`.
 * Verification failures answer 400, handler failures 500; a misconfigured body parser goes to `next`.
 */
export function createExpressHandler(
  receiver: WebhookReceiver,
  options: NodeAdapterOptions = {},
): ExpressLikeHandler {
  return async (req, res, next) => {
    let body: Uint8Array | string;
    if (req.body instanceof Uint8Array) body = req.body;
    else if (typeof req.body === 'string' && bodyAlreadyRead(req)) body = req.body;
    else if (bodyAlreadyRead(req)) {
      next(new RawBodyUnavailableError());
      return;
    } else {
      try {
        body = await readRawBody(req, options.maxBodyBytes);
      } catch (error) {
        sendReadFailure(req, res, error);
        return;
      }
    }
    try {
      sendNodeResponse(res, await receiver.receive(body, req.headers));
    } catch (error) {
      next(error);
    }
  };
}
