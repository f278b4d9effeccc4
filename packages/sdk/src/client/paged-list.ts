import type { ParamsOf, RouteKey } from './routes.js';
import type { RequestOptions, Transport } from './transport.js';

/** One page of a newest-first list, as every list route answers. */
export interface Page<T> {
  data: T[];
  /** Pass it back to get the next page; null when there is none. */
  iterator: string | null;
  /** True on the page that holds the last item. */
  done: boolean;
}

/** The item type of a page type (`AppPage` → `App`). */
export type ItemOf<P> = P extends { data: Array<infer T> } ? T : never;

/**
 * A list route: `for await (const item of list)` walks every item across pages (each page is fetched
 * when the previous one is used up, with the same filters), `page()` fetches one page, `pages()` walks
 * page by page. Nothing is fetched until one of them is used; each use starts again from the beginning.
 */
export class PagedList<T> implements AsyncIterable<T> {
  constructor(
    private readonly load: (iterator: string | undefined) => Promise<Page<T>>,
    private readonly start?: string,
  ) {}

  /** One page: the first, or the one `iterator` (from a previous page) points at. */
  page(iterator: string | undefined = this.start): Promise<Page<T>> {
    // A last page's iterator is null: asking for "the page after it" must not start the list again.
    if ((iterator as unknown) === null) {
      return Promise.reject(
        new TypeError('page(null): the previous page was the last one (its iterator is null; check page.done)'),
      );
    }
    return this.load(iterator);
  }

  /** Every page, following `iterator` until `done`. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let iterator = this.start;
    for (;;) {
      const page = await this.load(iterator);
      yield page;
      if (page.done || page.iterator === null) return;
      // A server that hands back the iterator it was given would make this loop forever.
      if (page.iterator === iterator) throw new Error(`list paging did not advance (iterator ${iterator})`);
      iterator = page.iterator;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** The first `max` items (every item when omitted), fetching only the pages needed. */
  async toArray(max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    if (max <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= max) break;
    }
    return items;
  }
}

/**
 * The {@link PagedList} of a list route: every page is requested with the same filters and the previous
 * page's iterator; an `iterator` in `query` is where the list starts.
 */
export function pagedList<K extends RouteKey, T>(
  transport: Transport,
  route: K,
  params: ParamsOf<K>,
  query: { iterator?: string } | undefined,
  options: RequestOptions | undefined,
): PagedList<T> {
  const { iterator: start, ...filters } = query ?? {};
  return new PagedList<T>(
    (iterator) => transport.call<K, Page<T>>(route, { params, query: { ...filters, iterator } }, options),
    start,
  );
}
