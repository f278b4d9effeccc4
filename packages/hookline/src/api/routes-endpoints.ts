import { checkEndpointUrl } from '../core/address-policy.js';
import { checkResolvedHost } from '../dispatch/address-guard.js';
import { newId } from '../core/ids.js';
import { generateSecret, SECRET_OVERLAP_MS } from '../core/secrets.js';
import { type ApiDeps, dispatchLearns } from './deps.js';
import { HttpError } from './errors.js';
import { loadApp, loadEndpoint, pageRequest, parseTime, refuseOperationalChange, requireEnabled } from './lookup.js';
import { presentEndpoint } from './present.js';
import type { DefineRoute } from './route.js';
import {
  EndpointCreate,
  EndpointOut,
  EndpointRecover,
  EndpointSecretOut,
  EndpointUpdate,
  ListQuery,
  pageOf,
  Requeued,
  SecretRotate,
} from './schemas.js';

/** Endpoints: the URLs an app registered, with filter, secret and limits. */
export function endpointRoutes(route: DefineRoute, deps: ApiDeps): void {
  const checkUrl = async (url: string) => {
    let problem = checkEndpointUrl(url, deps.config.allowPrivateNetwork);
    if (!problem && !deps.config.allowPrivateNetwork) problem = await checkResolvedHost(new URL(url).hostname);
    if (problem)
      throw new HttpError('endpoint_url_refused', `url ${problem}`, [{ field: 'url', message: problem }]);
  };

  route({
    method: 'post',
    path: '/v1/apps/{app}/endpoints',
    summary: 'Register an endpoint',
    tag: 'Endpoints',
    access: 'app',
    body: EndpointCreate,
    responses: { 201: { description: 'Created', schema: EndpointOut } },
    handler: async ({ params, principal, body, c }) => {
      const app = refuseOperationalChange(await loadApp(deps, params.app!, principal));
      await checkUrl(body.url);
      const now = deps.clock();
      const endpoint = await deps.store.createEndpoint({
        id: newId('ep', now),
        appId: app.id,
        url: body.url,
        description: body.description ?? '',
        eventTypes: [...new Set(body.eventTypes ?? [])],
        disabled: body.disabled ?? false,
        rateLimit: body.rateLimit ?? null,
        headers: body.headers ?? {},
        secret: body.secret ?? generateSecret(),
        createdAt: now,
      });
      return c.json(presentEndpoint(endpoint), 201);
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/endpoints',
    summary: "List an app's endpoints, newest first",
    tag: 'Endpoints',
    access: 'app',
    query: ListQuery,
    responses: { 200: { description: 'A page of endpoints', schema: pageOf(EndpointOut, 'EndpointPage') } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const page = await deps.store.listEndpoints(app.id, pageRequest(query, 'ep'));
      return c.json({ ...page, data: page.data.map(presentEndpoint) });
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/endpoints/{ep}',
    summary: 'Get an endpoint',
    tag: 'Endpoints',
    access: 'app',
    responses: { 200: { description: 'The endpoint', schema: EndpointOut } },
    handler: async ({ params, principal, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      return c.json(presentEndpoint(await loadEndpoint(deps, app, params.ep!)));
    },
  });
  route({
    method: 'patch',
    path: '/v1/apps/{app}/endpoints/{ep}',
    summary: 'Update an endpoint (re-enable it with disabled: false)',
    tag: 'Endpoints',
    access: 'app',
    body: EndpointUpdate,
    responses: { 200: { description: 'The updated endpoint', schema: EndpointOut } },
    handler: async ({ params, principal, body, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const endpoint = await loadEndpoint(deps, app, params.ep!);
      if (body.url !== undefined) await checkUrl(body.url);
      const updated = await deps.store.updateEndpoint(app.id, endpoint.id, {
        ...body,
        ...(body.eventTypes ? { eventTypes: [...new Set(body.eventTypes)] } : {}),
        updatedAt: deps.clock(),
      });
      if (!updated) throw new HttpError('endpoint_not_found', `no endpoint ${params.ep} in app ${app.id}`);
      await dispatchLearns(deps, updated.id); // what waits to go out holds the old details
      if (endpoint.disabled && !updated.disabled) {
        deps.dispatch?.wake();
        deps.operational?.endpointEnabled(updated);
      }
      if (!endpoint.disabled && updated.disabled) deps.operational?.endpointDisabled(updated, 'manual');
      return c.json(presentEndpoint(updated));
    },
  });
  route({
    method: 'delete',
    path: '/v1/apps/{app}/endpoints/{ep}',
    summary:
      'Delete an endpoint; its pending deliveries are given up (an attempt in flight at that moment is not recorded)',
    tag: 'Endpoints',
    access: 'app',
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ params, principal, c }) => {
      const app = refuseOperationalChange(await loadApp(deps, params.app!, principal));
      const endpoint = await loadEndpoint(deps, app, params.ep!);
      deps.deliveriesGivenUp((await deps.store.deleteEndpoint(app.id, endpoint.id, deps.clock())) ?? 0);
      await dispatchLearns(deps, endpoint.id);
      return c.body(null, 204);
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/endpoints/{ep}/secret',
    summary: "The endpoint's current signing secret",
    tag: 'Endpoints',
    access: 'app',
    responses: { 200: { description: 'The secret', schema: EndpointSecretOut } },
    handler: async ({ params, principal, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const endpoint = await loadEndpoint(deps, app, params.ep!);
      return c.json({ secret: endpoint.secrets[0]!.secret });
    },
  });
  route({
    method: 'post',
    path: '/v1/apps/{app}/endpoints/{ep}/secret/rotate',
    summary: 'Rotate the signing secret; the old one keeps signing (a second signature) for 24 h',
    tag: 'Endpoints',
    access: 'app',
    body: SecretRotate,
    bodyOptional: true,
    responses: { 204: { description: 'Rotated' } },
    handler: async ({ params, principal, body, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const endpoint = await loadEndpoint(deps, app, params.ep!);
      const now = deps.clock();
      const rotated = await deps.store.rotateEndpointSecret(app.id, endpoint.id, {
        secret: body.secret ?? generateSecret(),
        now,
        previousUntil: now + SECRET_OVERLAP_MS,
      });
      if (!rotated) throw new HttpError('endpoint_not_found', `no endpoint ${params.ep} in app ${app.id}`);
      await dispatchLearns(deps, endpoint.id); // waiting deliveries were to be signed with the old secrets
      return c.body(null, 204);
    },
  });
  route({
    method: 'post',
    path: '/v1/apps/{app}/endpoints/{ep}/recover',
    summary: 'Re-send every failed delivery of messages created since a time, queued oldest first (sent concurrently)',
    tag: 'Endpoints',
    access: 'app',
    body: EndpointRecover,
    responses: { 202: { description: 'Queued again', schema: Requeued } },
    handler: async ({ params, principal, body, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const endpoint = requireEnabled(await loadEndpoint(deps, app, params.ep!));
      const since = parseTime(body.since)!;
      const result = await deps.store.recoverEndpoint(app.id, endpoint.id, since, deps.clock());
      if (result.queued > 0) deps.dispatch?.wake();
      return c.json(result, 202);
    },
  });
}
