import { keysetBefore, toPage } from '../paging.js';
import type { MessageFilter, MessageSummary, Page, PageRequest } from '../types.js';
import type { PostgresContext } from './context.js';
import { type MessageSummaryRow, toMessageSummary } from './rows.js';
import * as sql from './statements-manage.js';

/**
 * An app's messages newest first by (timestamp, id), keyset-paged through an index that matches the filter.
 * `before` is folded into the keyset start: (timestamp, id) < (before, '') is timestamp < before.
 */
export async function listMessages(
  ctx: PostgresContext,
  appId: string,
  filter: MessageFilter,
  page: PageRequest,
): Promise<Page<MessageSummary>> {
  let start = keysetBefore(page);
  if (typeof filter.before === 'number' && filter.before <= start.beforeAt) start = { beforeAt: filter.before, beforeId: '' };
  const params = [appId, start.beforeAt, start.beforeId, filter.after ?? -1, page.limit + 1];
  const rows = filter.eventType
    ? await ctx.rows<MessageSummaryRow>(sql.PAGE_MESSAGES_OF_TYPE, [...params, filter.eventType])
    : await ctx.rows<MessageSummaryRow>(sql.PAGE_MESSAGES, params);
  return toPage(rows, page.limit, (r) => ({ createdAt: r.timestamp, id: r.id }), toMessageSummary);
}
