import type { QueryOf, ResultOf } from '../routes.js';
import type { RequestOptions, Transport } from '../transport.js';

/** Count, Success rate and Delay percentiles over deliveries. */
export type Stats = ResultOf<'GET /v1/stats'>;
export type StatsQuery = QueryOf<'GET /v1/stats'>;

/** Delivery stats (`since`: an ISO 8601 time; without it, all retained history). */
export class StatsApi {
  constructor(private readonly transport: Transport) {}

  /** `GET /v1/stats`: every app (admin-only). */
  all(query?: StatsQuery, options?: RequestOptions): Promise<Stats> {
    return this.transport.call('GET /v1/stats', { params: {}, query }, options);
  }

  /** `GET /v1/apps/{app}/stats`: one app. */
  app(
    app: string,
    query?: QueryOf<'GET /v1/apps/{app}/stats'>,
    options?: RequestOptions,
  ): Promise<ResultOf<'GET /v1/apps/{app}/stats'>> {
    return this.transport.call('GET /v1/apps/{app}/stats', { params: { app }, query }, options);
  }
}
