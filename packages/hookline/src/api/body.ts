import { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, readRawBody } from '@hookline/sdk';
import { scanJson } from '../core/json-text.js';
import { HttpError } from './errors.js';

/**
 * Deepest nesting of objects and arrays a request body may have (the body's own object is level 1).
 * Deeper bodies are refused before anything walks them: a payload nested thousands deep would overflow
 * the stack of whatever walks it next (serialising, schema validation), and no real event needs it.
 */
export const MAX_JSON_DEPTH = 64;

/** A parsed request body, with the text of each top-level member's value as sent (see core/json-text). */
export interface JsonBody {
  value: unknown;
  members: Map<string, string>;
}

/**
 * Read a request body, refusing it with 413 as soon as it passes `maxBytes` (never buffering more).
 * Takes node's IncomingMessage (or any byte stream) so both the Hono routes and the ingest fast path use it.
 */
export async function readCappedBody(
  stream: AsyncIterable<Uint8Array> | null,
  contentLength: string | undefined,
  maxBytes: number,
): Promise<string> {
  const tooLarge = () =>
    new HttpError('payload_too_large', `the request body is larger than ${maxBytes} bytes`);
  if (Number(contentLength ?? Number.NaN) > maxBytes) throw tooLarge();
  if (!stream) return '';
  if (stream instanceof IncomingMessage) {
    // The SDK's reader listens for events: an async iterator per request cost ~2 % CPU on ingest.
    try {
      return (await readRawBody(stream, maxBytes)).toString('utf8');
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        stream.resume(); // discard the rest, so the client reads the 413
        throw tooLarge();
      }
      throw error;
    }
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? Buffer.from(chunks[0]!).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * Parse a JSON request body whatever its content-type says (curl -d sends form encoding by default), and
 * refuse one nested deeper than MAX_JSON_DEPTH (400 validation_failed, naming the member it is in).
 */
export function parseJsonBody(text: string): JsonBody {
  if (text.trim() === '') throw new HttpError('invalid_json', 'the request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json', 'the request body is not valid JSON');
  }
  const scan = scanJson(text);
  if (scan.depth > MAX_JSON_DEPTH) {
    const field = scan.deepestMember ?? '(body)';
    const message = `nested ${scan.depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted (the body itself is one)`;
    throw new HttpError('validation_failed', `${field}: ${message}`, [{ field, message }]);
  }
  return { value, members: scan.members };
}
