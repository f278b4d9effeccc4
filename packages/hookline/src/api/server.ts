import { OpenAPIHono, z } from '@hono/zod-openapi';
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
  describeOperations(api);
  api.get('/openapi.json', (c) => c.json(openApiDocument(api)));

  const routePatterns = collectPatterns(api);
  api.notFound((c) => {
    if (!servesApi && c.req.path.startsWith('/v1/')) {
      return problemResponse(
        'not_found',
        'this process runs --role worker and serves only /healthz, /metrics and /openapi.json; send API requests to an api or all process',
      );
    }
    const allowed = [...new Set(routePatterns.filter((r) => r.pattern.test(c.req.path)).map((r) => r.method))];
    return allowed.length > 0
      ? problemResponse('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}`, undefined, {
          allow: allowed.join(', '),
        })
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

const Health = z
  .object({
    status: z.enum(['ok', 'unhealthy']),
    version: z.string(),
    role: z.enum(['all', 'api', 'worker']),
    reason: z.string().optional().openapi({ description: 'Why it is unhealthy (more fields may name the part)' }),
  })
  .catchall(z.unknown())
  .openapi('Health');

/** /healthz, /metrics and /openapi.json in the document too (served by every role, without a token). */
function describeOperations(api: OpenAPIHono): void {
  const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
  const register = api.openAPIRegistry.registerPath.bind(api.openAPIRegistry);
  const describe = (path: string, summary: string, responses: Parameters<typeof register>[0]['responses']) =>
    register({ method: 'get', path, summary, tags: ['Operations'], security: [], responses });
  describe('/healthz', 'Health: the database answers and takes writes, delivery runs', {
    200: { description: 'Healthy', content: json(Health) },
    503: { description: 'Unhealthy, with the reason', content: json(Health) },
  });
  describe('/metrics', 'Prometheus metrics (text exposition format)', {
    200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } },
  });
  describe('/openapi.json', 'This OpenAPI 3.1 document', {
    200: { description: 'The document', content: json(z.record(z.string(), z.unknown())) },
  });
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

/**
 * Every registered path as a regex with its method, to tell 405 (the path exists, not with this method) from
 * 404, and to say in `Allow` which methods it takes.
 */
function collectPatterns(api: OpenAPIHono): Array<{ pattern: RegExp; method: string }> {
  return api.routes
    .filter((r) => r.path !== '/*' && r.path !== '*' && r.method !== 'ALL')
    .map((r) => ({ pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}$`), method: r.method }));
}
