import { newId } from '../core/ids.js';
import { type ApiDeps, dispatchLearns } from './deps.js';
import { loadApp, pageRequest, refuseOperationalChange } from './lookup.js';
import { presentApp } from './present.js';
import type { DefineRoute } from './route.js';
import { AppCreate, AppOut, AppUpdate, ListQuery, pageOf } from './schemas.js';

/** Apps: the platform's tenants. Creating, listing, updating and deleting them is admin-only. */
export function appRoutes(route: DefineRoute, deps: ApiDeps): void {
  route({
    method: 'post',
    path: '/v1/apps',
    summary: 'Create an app (a tenant)',
    tag: 'Apps',
    access: 'admin',
    body: AppCreate,
    responses: { 201: { description: 'Created', schema: AppOut } },
    handler: async ({ body, c }) => {
      const now = deps.clock();
      const app = await deps.store.createApp({
        id: newId('app', now),
        name: body.name,
        uid: body.uid ?? null,
        createdAt: now,
      });
      return c.json(presentApp(app), 201);
    },
  });
  route({
    method: 'get',
    path: '/v1/apps',
    summary: 'List apps, newest first',
    tag: 'Apps',
    access: 'admin',
    query: ListQuery,
    responses: { 200: { description: 'A page of apps', schema: pageOf(AppOut, 'AppPage') } },
    handler: async ({ query, c }) => {
      const page = await deps.store.listApps(pageRequest(query, 'app'));
      return c.json({ ...page, data: page.data.map(presentApp) });
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}',
    summary: 'Get an app by id or uid',
    tag: 'Apps',
    access: 'app',
    responses: { 200: { description: 'The app', schema: AppOut } },
    handler: async ({ params, principal, c }) =>
      c.json(presentApp(await loadApp(deps, params.app!, principal))),
  });
  route({
    method: 'patch',
    path: '/v1/apps/{app}',
    summary: 'Update an app',
    tag: 'Apps',
    access: 'admin',
    body: AppUpdate,
    responses: { 200: { description: 'The updated app', schema: AppOut } },
    handler: async ({ params, principal, body, c }) => {
      const app = refuseOperationalChange(await loadApp(deps, params.app!, principal));
      const updated = await deps.store.updateApp(app.id, { ...body, updatedAt: deps.clock() });
      deps.apps.forget();
      return c.json(presentApp(updated ?? (await loadApp(deps, app.id, principal))));
    },
  });
  route({
    method: 'delete',
    path: '/v1/apps/{app}',
    summary: 'Delete an app with its endpoints, messages and attempts',
    tag: 'Apps',
    access: 'admin',
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ params, principal, c }) => {
      const app = refuseOperationalChange(await loadApp(deps, params.app!, principal));
      await deps.store.deleteApp(app.id, deps.clock());
      deps.apps.forget();
      await dispatchLearns(deps, app.id); // what waits here to go to its endpoints is dropped
      return c.body(null, 204);
    },
  });
}
