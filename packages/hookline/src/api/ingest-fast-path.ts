import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCappedBody, parseJsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { problemBody } from './errors.js';
import { ingestMessage } from './ingest.js';
import { loadAppCached } from './lookup.js';
import { answerFor } from './error-answer.js';
import { type Authorize, parseWith } from './route.js';
import { MessageCreate } from './schemas.js';

/** Without a query: the route takes none, and Hono refuses one (route.ts). */
const INGEST_PATH = /^\/v1\/apps\/([^/?]+)\/messages$/;

/**
 * `POST /v1/apps/{app}/messages` straight on node:http: the hottest route skips building a web Request
 * and Response (Hono + node-server cost ~2× the CPU of the whole ingest here; docs/benchmarks.md).
 * It shares authorization, validation, ingest and the error mapping with the Hono route, which stays the
 * documented definition; returns false for every other request so Hono serves it.
 */
export function ingestFastPath(deps: ApiDeps, authorize: Authorize) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const match = INGEST_PATH.exec(req.url ?? '');
    if (!match) return false;
    let appRef: string;
    try {
      appRef = decodeURIComponent(match[1]!);
    } catch {
      return false; // Hono answers malformed escapes the same way as on every other route
    }
    void handle(deps, authorize, appRef, req, res);
    return true;
  };
}

async function handle(
  deps: ApiDeps,
  authorize: Authorize,
  appRef: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const principal = await authorize(req.headers.authorization, 'app', { app: appRef });
    const app = await loadAppCached(deps, appRef, principal);
    const text = await readCappedBody(req, req.headers['content-length'], deps.config.maxBodyBytes);
    const json = parseJsonBody(text);
    const body = parseWith(MessageCreate, json.value, 'validation_failed');
    const accepted = await ingestMessage(deps, app, appRef, body, json.members.get('payload')!);
    send(res, 202, 'application/json', JSON.stringify(accepted));
  } catch (error) {
    if (res.destroyed) return; // the client went away; nothing to answer
    const answer = answerFor(deps, error, 'POST', req.url);
    const problem = JSON.stringify(problemBody(answer.code, answer.detail, answer.errors));
    send(res, answer.status, 'application/problem+json', problem, answer.headers);
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
