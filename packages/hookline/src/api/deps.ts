import type { Logger } from 'pino';
import type { ServeConfig } from '../config/config.js';
import { settleWithin } from '../core/deadline.js';
import type { OperationalWebhooks } from '../operational/operational-webhooks.js';
import type { DeliveryStore } from '../store/port.js';
import type { Delivery } from '../dispatch/delivery.js';
import type { AppDirectory } from './app-directory.js';
import type { AppRateLimit } from './app-rate-limit.js';
import type { EventTypeCatalog } from './event-type-catalog.js';

/** The local dispatcher as the API sees it: fresh deliveries go to it from memory. */
export type LocalDispatch = Pick<Delivery, 'enqueue' | 'wake' | 'endpointChanged'>;

/** Everything route handlers use; built once per server. */
export interface ApiDeps {
  store: DeliveryStore;
  config: ServeConfig;
  logger: Logger;
  clock: () => number;
  /** Event types as ingest checks them (strictness, payload schemas), cached. */
  eventTypes: EventTypeCatalog;
  /** Apps as ingest resolves them, cached. */
  apps: AppDirectory;
  /** `--api-rate-limit`, counted per app as each request resolves its app. */
  appRateLimit: AppRateLimit;
  /** Null without `--operational-webhook-url`. */
  operational: OperationalWebhooks | null;
  /** Null on `--role api` processes: other workers deliver. */
  dispatch: LocalDispatch | null;
  /** Prometheus text and content type. */
  metricsText: () => Promise<{ contentType: string; body: string }>;
  /** Health of the process: store reachable, dispatcher running. */
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
  messageAccepted: (created: boolean) => void;
  /** Deliveries given up without an attempt (their endpoint was deleted): finished, failed, for /metrics. */
  deliveriesGivenUp: (count: number) => void;
}

/**
 * Tell this process's dispatcher an endpoint changed (or, with an app id, an app was deleted) before
 * answering, so that nothing it holds for it goes out afterwards with the old details (other processes
 * hear it by NOTIFY). Bounded: a stuck delivery thread does not hold the answer.
 */
export async function dispatchLearns(deps: ApiDeps, id: string): Promise<void> {
  if (deps.dispatch) await settleWithin(deps.dispatch.endpointChanged(id), 1_000, () => undefined);
}
