/** Helpers for the client's unit tests: a fetch that answers from a script and records every request. */
import type { FetchLike } from '../src/client/index.js';

/** One request the client sent. */
export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** What the scripted fetch does for one request: answer, or throw (a network failure). */
export type Step =
  | Response
  | Error
  | ((request: SentRequest, signal: AbortSignal | undefined) => Response | Promise<Response>);

/** JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** problem+json answer as hookline sends it. */
export function problem(
  status: number,
  code: string,
  detail = `${code} happened`,
  headers: Record<string, string> = {},
) {
  return new Response(
    JSON.stringify({
      type: `https://hookline.dev/errors/${code}`,
      title: `title of ${code}`,
      status,
      detail,
      code,
    }),
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );
}

/** A fetch error as Node's fetch raises it for a refused connection (request never sent). */
export function connectionRefused(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  return new TypeError('fetch failed', { cause });
}

/** A fetch error as raised when the connection drops after the request went out. */
export function connectionReset(): Error {
  const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  return new TypeError('fetch failed', { cause });
}

/**
 * A fetch that plays `steps` in order (the last one repeats) and records requests in `sent`.
 */
export function scriptedFetch(...steps: Step[]): { fetch: FetchLike; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetch: FetchLike = async (input, init) => {
    const request: SentRequest = {
      method: init.method ?? 'GET',
      url: new URL(input),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(request);
    const step = steps[Math.min(sent.length - 1, steps.length - 1)]!;
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(request, init.signal ?? undefined);
    return step.clone();
  };
  return { fetch, sent };
}

/** A sleep that records the delays asked for and returns at once (no real waiting in tests). */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}
