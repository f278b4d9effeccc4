/** node:http adapter: read the exact body bytes, hand them to a receiver, write its answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEFAULT_MAX_BODY_BYTES,
  errorAnswer,
  errorResponse,
  PayloadTooLargeError,
  type WebhookReceiver,
  type WebhookResponse,
} from '../receiver.js';

/** Options of the node:http adapter. */
export interface NodeAdapterOptions {
  /** Largest body read; larger requests get 413. Default 5 MiB. */
  maxBodyBytes?: number;
}

/**
 * Reads a request's body as the exact bytes sent, refusing more than `limit` bytes.
 * Verify these bytes: `JSON.stringify(JSON.parse(body))` is not the same text and fails verification.
 */
export function readRawBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) {
      reject(new PayloadTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('the request was aborted before its body was read'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Writes a receiver's answer to a Node response (also an Express response, which extends it). */
export function sendNodeResponse(res: ServerResponse, answer: WebhookResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** Answers a request whose body could not be read: 413 for too large, else logs and answers 500. */
export function sendReadFailure(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  // Discard (not buffer) the rest, so the client reads the 413 instead of a reset connection.
  if (error instanceof PayloadTooLargeError) req.resume();
  if (!res.headersSent && res.writable) sendNodeResponse(res, errorResponse(error));
}

/**
 * A node:http request listener: `http.createServer(createNodeHandler(hooks)).listen(3000)`.
 * Answers 405 to anything but POST.
 */
export function createNodeHandler(
  receiver: WebhookReceiver,
  options: NodeAdapterOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      sendNodeResponse(res, errorAnswer('method_not_allowed', 'use POST', { allow: 'POST' }));
      return;
    }
    let body: Buffer;
    try {
      body = await readRawBody(req, options.maxBodyBytes);
    } catch (error) {
      sendReadFailure(req, res, error);
      return;
    }
    sendNodeResponse(res, await receiver.receive(body, req.headers));
  };
}
