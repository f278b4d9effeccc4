import type { Logger } from 'pino';
import type { ServeConfig } from '../config/config.js';
import type { OperationalWebhooks } from '../operational/operational-webhooks.js';
import type { DeliveryStore } from '../store/port.js';
import type { ClaimedDelivery } from '../store/types.js';
import type { AppDirectory } from './app-directory.js';
import type { EventTypeCatalog } from './event-type-catalog.js';

/** The local dispatcher as the API sees it: fresh deliveries go to it from memory. */
export interface LocalDispatch {
  readonly workerId: string;
  hasCapacity(): boolean;
  accept(deliveries: ClaimedDelivery[]): void;
  wake(): void;
}

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
  /** Null without `--operational-webhook-url`. */
  operational: OperationalWebhooks | null;
  /** Null on `--role api` processes: other workers deliver. */
  dispatch: LocalDispatch | null;
  /** How long a delivery handed to the local dispatcher stays leased. */
  leaseMs: number;
  /** Prometheus text and content type. */
  metricsText: () => Promise<{ contentType: string; body: string }>;
  /** Health of the process: store reachable, dispatcher running. */
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
  messageAccepted: (created: boolean) => void;
}
