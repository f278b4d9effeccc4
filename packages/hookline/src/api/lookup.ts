import { EVENT_TYPE_PATTERN } from '../core/envelope.js';
import { isId } from '../core/ids.js';
import { decodeCursor, InvalidIteratorError } from '../store/paging.js';
import type { App, Endpoint, EventType, Message, PageRequest } from '../store/types.js';
import type { ApiDeps } from './deps.js';
import { OPERATIONAL_APP_UID } from '../operational/operational-webhooks.js';
import { HttpError } from './errors.js';
import type { Principal } from './route.js';

/**
 * The app `{app}` names (id or uid), visible to this caller; 404 otherwise, never a hint it exists. The
 * request counts against that app's `--api-rate-limit` (429 beyond it).
 */
export function loadApp(deps: ApiDeps, ref: string, principal: Principal | null): Promise<App> {
  return resolveApp(deps, ref, principal, (key) => deps.store.findApp(key));
}

/** loadApp for the ingest path, through the app cache (AppDirectory: bounded staleness, exact deletes). */
export function loadAppCached(deps: ApiDeps, ref: string, principal: Principal | null): Promise<App> {
  return resolveApp(deps, ref, principal, (key) => deps.apps.find(key));
}

async function resolveApp(
  deps: ApiDeps,
  ref: string,
  principal: Principal | null,
  find: (key: string) => Promise<App | null>,
): Promise<App> {
  // An app-scoped token only ever sees its own app: look that one up, never `ref`, so that how fast the answer
  // comes cannot tell whether another tenant's uid exists.
  const key = principal?.kind === 'app' ? principal.appId : ref;
  return admitted(deps, visibleApp(couldName(key) ? await find(key) : null, ref, principal));
}

/** Whether `ref` could be an app's id or uid; else it is not looked up (U+0000 is not even text to PostgreSQL). */
const couldName = (ref: string) => ref.length <= 256 && !ref.includes('\u0000');

function visibleApp(app: App | null, ref: string, principal: Principal | null): App {
  if (!app || (principal?.kind === 'app' && (principal.appId !== app.id || (ref !== app.id && ref !== app.uid)))) {
    throw appNotFound(ref);
  }
  return app;
}

function admitted(deps: ApiDeps, app: App): App | Promise<App> {
  const asking = deps.appRateLimit.admit(app.id); // a promise only while the shared bucket is asked
  return asking ? asking.then(() => app) : app;
}

export const appNotFound = (ref: string) => new HttpError('app_not_found', `no app ${JSON.stringify(ref)}`);

/** An endpoint of `app`; 404 otherwise, naming `field` when the id came from the body. */
export async function loadEndpoint(deps: ApiDeps, app: App, ref: string, field?: string): Promise<Endpoint> {
  const endpoint = isId(ref, 'ep') ? await deps.store.getEndpoint(app.id, ref) : null;
  if (!endpoint) {
    const errors = field ? [{ field, message: 'no such endpoint in this app' }] : undefined;
    throw new HttpError('endpoint_not_found', `no endpoint ${JSON.stringify(ref)} in app ${app.id}`, errors);
  }
  return endpoint;
}

export async function loadMessage(deps: ApiDeps, app: App, ref: string): Promise<Message> {
  const message = isId(ref, 'msg') ? await deps.store.getMessage(app.id, ref) : null;
  if (!message)
    throw new HttpError('message_not_found', `no message ${JSON.stringify(ref)} in app ${app.id}`);
  return message;
}

export async function loadEventType(deps: ApiDeps, name: string): Promise<EventType> {
  const eventType = EVENT_TYPE_PATTERN.test(name) ? await deps.store.getEventType(name) : null;
  if (!eventType) throw new HttpError('event_type_not_found', `no event type ${JSON.stringify(name)}`);
  return eventType;
}

/** An endpoint that is enabled, for routes that send to it; 409 endpoint_disabled otherwise. */
export function requireEnabled(endpoint: Endpoint, field?: string): Endpoint {
  if (endpoint.disabled) {
    throw new HttpError(
      'endpoint_disabled',
      `endpoint ${endpoint.id} is disabled; enable it first (PATCH {"disabled": false})`,
      field ? [{ field, message: 'is disabled' }] : undefined,
    );
  }
  return endpoint;
}

/** An ISO 8601 time the schema already checked, as epoch ms (null when absent). */
export const parseTime = (iso: string | undefined): number | null => (iso ? Date.parse(iso) : null);

/** The page size a list asks for (schema-checked to 1..250), default 50. */
const pageLimit = (query: { limit?: number }) => query.limit ?? 50;

/**
 * The page a list request asks for. An iterator holds the position of an item of its own list, so one
 * from another list (another kind of id) is refused as malformed (400 invalid_iterator) instead of
 * silently starting somewhere else.
 */
export function pageRequest(query: { limit?: number; iterator?: string }, idPrefix: string): PageRequest {
  const iterator = query.iterator ?? null;
  if (iterator !== null && !decodeCursor(iterator).id.startsWith(`${idPrefix}_`)) {
    throw new InvalidIteratorError('the iterator belongs to another list');
  }
  return { limit: pageLimit(query), iterator };
}

/**
 * Refuse (403) a change that would silently stop operational webhooks: the reserved app and its one endpoint
 * are hookline's own, made from --operational-webhook-url at start (deleting them, renaming the app or
 * adding endpoints to it would last until the next restart re-creates them).
 */
export function refuseOperationalChange(app: App): App {
  if (app.uid === OPERATIONAL_APP_UID) {
    throw new HttpError(
      'forbidden',
      'the operational app is managed by hookline from --operational-webhook-url; change that flag and restart instead',
    );
  }
  return app;
}
