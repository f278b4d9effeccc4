import type { ApiDeps } from './deps.js';
import { loadApp, loadMessage, pageLimit } from './lookup.js';
import { ingestMessage } from './ingest.js';
import { presentAttempt, presentMessage } from './present.js';
import type { DefineRoute } from './route.js';
import { AttemptOut, ListQuery, MessageAccepted, MessageCreate, MessageOut, pageOf } from './schemas.js';

/** Messages: the write path (durable before 202) and the read path for messages and their attempts. */
export function messageRoutes(route: DefineRoute, deps: ApiDeps): void {
  route({
    method: 'post',
    path: '/v1/apps/{app}/messages',
    summary: 'Send a message to every matching endpoint of the app',
    tag: 'Messages',
    access: 'app',
    body: MessageCreate,
    responses: {
      202: { description: 'Accepted: stored durably, delivery under way', schema: MessageAccepted },
    },
    handler: async ({ params, principal, body, c }) =>
      c.json(await ingestMessage(deps, principal, params.app!, body), 202),
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/messages/{msg}',
    summary: 'Get a message with its payload',
    tag: 'Messages',
    access: 'app',
    responses: { 200: { description: 'The message', schema: MessageOut } },
    handler: async ({ params, principal, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      return c.json(presentMessage(await loadMessage(deps, app, params.msg!)));
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/messages/{msg}/attempts',
    summary: "A message's delivery attempts, newest first",
    tag: 'Messages',
    access: 'app',
    query: ListQuery,
    responses: { 200: { description: 'A page of attempts', schema: pageOf(AttemptOut, 'AttemptPage') } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const message = await loadMessage(deps, app, params.msg!);
      const page = await deps.store.listAttempts(app.id, message.id, {
        limit: pageLimit(query),
        iterator: query.iterator ?? null,
      });
      return c.json({ ...page, data: page.data.map(presentAttempt) });
    },
  });
}
