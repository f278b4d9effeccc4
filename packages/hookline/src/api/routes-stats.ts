import type { ApiDeps } from './deps.js';
import { loadApp, loadEndpoint, parseTime } from './lookup.js';
import type { DefineRoute } from './route.js';
import { StatsOut, StatsQuery } from './schemas.js';

/** The seed's three measures: Count, Success rate and Delay percentiles, over deliveries. */
export function statsRoutes(route: DefineRoute, deps: ApiDeps): void {
  const since = (query: { since?: string }) => parseTime(query.since);
  route({
    method: 'get',
    path: '/v1/stats',
    summary: 'Delivery stats over every app',
    tag: 'Stats',
    access: 'admin',
    query: StatsQuery,
    responses: { 200: { description: 'Count, Success rate and Delay', schema: StatsOut } },
    handler: async ({ query, c }) =>
      c.json(await deps.store.deliveryStats({ appId: null, since: since(query) })),
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/stats',
    summary: 'Delivery stats of one app',
    tag: 'Stats',
    access: 'app',
    query: StatsQuery,
    responses: { 200: { description: 'Count, Success rate and Delay', schema: StatsOut } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      return c.json(await deps.store.deliveryStats({ appId: app.id, since: since(query) }));
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/endpoints/{ep}/stats',
    summary: 'Delivery stats of one endpoint',
    tag: 'Stats',
    access: 'app',
    query: StatsQuery,
    responses: { 200: { description: 'Count, Success rate and Delay', schema: StatsOut } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const endpoint = await loadEndpoint(deps, app, params.ep!);
      return c.json(
        await deps.store.deliveryStats({ appId: app.id, endpointId: endpoint.id, since: since(query) }),
      );
    },
  });
}
