import { isId } from '../core/ids.js';
import type { App, Endpoint, Message } from '../store/types.js';
import type { ApiDeps } from './deps.js';
import { HttpError } from './errors.js';
import type { Principal } from './route.js';

/** The app `{app}` names (id or uid), visible to this caller; 404 otherwise, never a hint it exists. */
export async function loadApp(deps: ApiDeps, ref: string, principal: Principal | null): Promise<App> {
  const app = ref.length <= 256 ? await deps.store.findApp(ref) : null;
  if (!app || (principal?.kind === 'app' && principal.appId !== app.id)) {
    throw new HttpError('app_not_found', `no app ${JSON.stringify(ref)}`);
  }
  return app;
}

export async function loadEndpoint(deps: ApiDeps, app: App, ref: string): Promise<Endpoint> {
  const endpoint = isId(ref, 'ep') ? await deps.store.getEndpoint(app.id, ref) : null;
  if (!endpoint)
    throw new HttpError('endpoint_not_found', `no endpoint ${JSON.stringify(ref)} in app ${app.id}`);
  return endpoint;
}

export async function loadMessage(deps: ApiDeps, app: App, ref: string): Promise<Message> {
  const message = isId(ref, 'msg') ? await deps.store.getMessage(app.id, ref) : null;
  if (!message)
    throw new HttpError('message_not_found', `no message ${JSON.stringify(ref)} in app ${app.id}`);
  return message;
}

/** The page size a list asks for (schema-checked to 1..250), default 50. */
export const pageLimit = (query: { limit?: number }) => query.limit ?? 50;
