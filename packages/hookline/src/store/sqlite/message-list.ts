import { toPage } from '../paging.js';
import type { MessageFilter, MessageSummary, Page, PageRequest } from '../types.js';
import { type SqliteContext, keysetBefore } from './context.js';
import { type MessageSummaryRow, toMessageSummary } from './rows.js';
import * as sql from './statements-manage.js';

/**
 * An app's messages newest first by (timestamp, id), keyset-paged through an index that matches the filter.
 * `before` is folded into the keyset start: (timestamp, id) < (before, '') is timestamp < before.
 */
export function listMessages(
  ctx: SqliteContext,
  appId: string,
  filter: MessageFilter,
  page: PageRequest,
): Page<MessageSummary> {
  let start = keysetBefore(page);
  if (typeof filter.before === 'number' && filter.before <= start.beforeAt) {
    start = { beforeAt: filter.before, beforeId: '' };
  }
  const params = { appId, ...start, after: filter.after ?? -1, limit: page.limit + 1 };
  const rows = (
    filter.eventType
      ? ctx.stmt(sql.PAGE_MESSAGES_OF_TYPE).all({ ...params, eventType: filter.eventType })
      : ctx.stmt(sql.PAGE_MESSAGES).all(params)
  ) as MessageSummaryRow[];
  return toPage(rows, page.limit, (r) => ({ createdAt: r.timestamp, id: r.id }), toMessageSummary);
}
