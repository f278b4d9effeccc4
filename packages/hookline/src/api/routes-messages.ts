import type { ApiDeps } from './deps.js';
import { ingestMessage } from './ingest.js';
import { loadApp, loadAppCached, loadEndpoint, loadMessage, pageRequest, parseTime, requireEnabled } from './lookup.js';
import { presentAccepted, presentAttempt, presentMessage } from './present.js';
import type { DefineRoute } from './route.js';
import {
  AttemptOut,
  ListQuery,
  MessageAccepted,
  MessageCreate,
  MessageListQuery,
  MessageOut,
  MessageResend,
  pageOf,
  Requeued,
} from './schemas.js';

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
    handler: async ({ params, principal, body, bodyMembers, c }) => {
      const app = await loadAppCached(deps, params.app!, principal);
      return c.json(await ingestMessage(deps, app, params.app!, body, bodyMembers.get('payload')!), 202);
    },
  });
  route({
    method: 'get',
    path: '/v1/apps/{app}/messages',
    summary: "List an app's messages, newest first, by event type and time (payloads: get one message)",
    tag: 'Messages',
    access: 'app',
    query: MessageListQuery,
    responses: { 200: { description: 'A page of messages', schema: pageOf(MessageAccepted, 'MessagePage') } },
    handler: async ({ params, principal, query, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const page = await deps.store.listMessages(
        app.id,
        { eventType: query.eventType ?? null, before: parseTime(query.before), after: parseTime(query.after) },
        pageRequest(query, 'msg'),
      );
      return c.json({ ...page, data: page.data.map(presentAccepted) });
    },
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
      const message = await loadMessage(deps, app, params.msg!);
      return c.body(presentMessage(message), 200, { 'content-type': 'application/json' });
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
      const page = await deps.store.listAttempts(app.id, message.id, pageRequest(query, 'atmpt'));
      return c.json({ ...page, data: page.data.map(presentAttempt) });
    },
  });
  route({
    method: 'post',
    path: '/v1/apps/{app}/messages/{msg}/resend',
    summary:
      'Send a message again: to one endpoint, or to every enabled endpoint it matched when it was created',
    tag: 'Messages',
    access: 'app',
    body: MessageResend,
    bodyOptional: true,
    responses: { 202: { description: 'Queued again', schema: Requeued } },
    handler: async ({ params, principal, body, c }) => {
      const app = await loadApp(deps, params.app!, principal);
      const message = await loadMessage(deps, app, params.msg!);
      const endpoint = body.endpointId
        ? requireEnabled(await loadEndpoint(deps, app, body.endpointId, 'endpointId'), 'endpointId')
        : null;
      const result = await deps.store.resendMessage(app.id, message.id, endpoint?.id ?? null, deps.clock());
      if (result.queued > 0) deps.dispatch?.wake();
      return c.json(result, 202);
    },
  });
}
