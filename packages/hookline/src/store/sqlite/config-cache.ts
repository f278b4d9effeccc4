import type { EndpointSecret } from '../../core/secrets.js';
import type { App } from '../types.js';

/** An enabled endpoint as the ingest path needs it, parsed once. */
export interface EnqueueTarget {
  id: string;
  url: string;
  eventTypes: string[];
  headers: Record<string, string>;
  secrets: EndpointSecret[];
  rateLimit: number | null;
}

/**
 * Apps by id and uid, each app's enabled endpoints, and endpoints known to have no failure run: the
 * ingest and record paths read them for every message. This process is the database's only writer
 * (exclusive lock), so forgetting everything on each write to apps or endpoints keeps them exact.
 */
export class ConfigCache {
  readonly apps = new Map<string, App>();
  readonly targets = new Map<string, EnqueueTarget[]>();
  /** Endpoints whose failing_since is known to be NULL: a success needs no endpoint write then. */
  readonly healthy = new Set<string>();

  forget(): void {
    this.apps.clear();
    this.targets.clear();
    this.healthy.clear();
  }
}
