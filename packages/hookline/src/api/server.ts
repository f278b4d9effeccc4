import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { VERSION } from '../version.js';
import type { ApiDeps } from './deps.js';
import { HttpError, problemResponse } from './errors.js';
import { type Authorize, makeRouter } from './route.js';
import { answerFor } from './error-answer.js';
import { appRoutes } from './routes-apps.js';
import { endpointRoutes } from './routes-endpoints.js';
import { eventTypeRoutes } from './routes-event-types.js';
import { messageRoutes } from './routes-messages.js';
import { operationalRoutes } from './routes-operational.js';
import { statsRoutes } from './routes-stats.js';
import { tokenRoutes } from './routes-tokens.js';

/** The whole HTTP API as a web-standard fetch handler (tests may call `app.request()` without a socket). */
export function buildApi(deps: ApiDeps, authorize: Authorize): OpenAPIHono {
  const api = new OpenAPIHono();
  const route = makeRouter(api, authorize, deps.config.maxBodyBytes);
  // A `--role worker` process delivers; it serves health and metrics, not the API.
  const servesApi = deps.config.role !== 'worker';
  if (servesApi) {
    appRoutes(route, deps);
    tokenRoutes(route, deps);
    eventTypeRoutes(route, deps);
    endpointRoutes(route, deps);
    messageRoutes(route, deps);
    statsRoutes(route, deps);
    operationalRoutes(route, deps);
  }

  api.get('/healthz', async (c) => {
    const health = await deps.health();
    return c.json(
      { status: health.ok ? 'ok' : 'unhealthy', version: VERSION, ...health.detail },
      health.ok ? 200 : 503,
    );
  });
  api.get('/metrics', async () => {
    const { contentType, body } = await deps.metricsText();
    return new Response(body, { headers: { 'content-type': contentType } });
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  api.get('/openapi.json', (c) => c.json(openApiDocument(api)));

  const routePatterns = collectPatterns(api);
  api.notFound((c) => {
    if (!servesApi && c.req.path.startsWith('/v1/')) {
      return problemResponse(
        'not_found',
        'this process runs --role worker and serves only /healthz, /metrics and /openapi.json; send API requests to an api or all process',
      );
    }
    const known = routePatterns.some((pattern) => pattern.test(c.req.path));
    return known
      ? problemResponse('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}`)
      : problemResponse('not_found', `no route ${c.req.method} ${c.req.path}`);
  });
  api.onError((error, c) => {
    const thrown =
      error instanceof HTTPException && error.status === 400 ? new HttpError('invalid_json', error.message) : error;
    const answer = answerFor(deps, thrown, c.req.method, c.req.path);
    return problemResponse(answer.code, answer.detail, answer.errors, answer.headers);
  });
  return api;
}

/** The OpenAPI 3.1 document of every registered route. */
export function openApiDocument(api: OpenAPIHono) {
  return api.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'hookline',
      version: VERSION,
      description:
        'Webhook delivery for open platforms. Errors are application/problem+json with a stable `code`.',
    },
  });
}

/** Regexes of every registered path, to tell 405 (path exists, method does not) from 404. */
function collectPatterns(api: OpenAPIHono): RegExp[] {
  const paths = new Set(api.routes.map((r) => r.path).filter((p) => p !== '/*' && p !== '*'));
  return [...paths].map((p) => new RegExp(`^${p.replace(/:[^/]+/g, '[^/]+')}$`));
}
