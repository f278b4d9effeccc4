import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { makeAuthorizer } from '../api/auth.js';
import type { ApiDeps } from '../api/deps.js';
import { AppDirectory } from '../api/app-directory.js';
import { AppRateLimit } from '../api/app-rate-limit.js';
import { EventTypeCatalog } from '../api/event-type-catalog.js';
import { answerClientError } from '../api/client-error.js';
import { ingestFastPath } from '../api/ingest-fast-path.js';
import { buildApi } from '../api/server.js';
import type { ServeConfig } from '../config/config.js';
import { type Delivery, deliveryObserver, localDelivery } from '../dispatch/delivery.js';
import { openDeliveryThread } from '../dispatch/delivery-thread.js';
import { createLogger } from '../observe/logger.js';
import { Metrics, metricsObserver } from '../observe/metrics.js';
import { ensureOperationalEndpoint, OperationalWebhooks } from '../operational/operational-webhooks.js';
import type { DeliveryStore } from '../store/port.js';
import { SqliteHost } from '../store/sqlite/store-host.js';
import { openStore } from './open-store.js';
import { RetentionPurger } from './retention-purger.js';
import { settleWithin } from '../core/deadline.js';

/**
 * @hono/node-server gives every answer a content-type, `text/plain` when the route set none, a 204's too;
 * a 204 has no content for it to describe, so it goes. A response class of its own, given to createServer,
 * does this once for every answer instead of wrapping each response's writeHead.
 */
class HooklineResponse extends ServerResponse {
  override writeHead(status: number, ...rest: unknown[]): this {
    const headers = rest[rest.length - 1];
    if (status === 204 && headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
      delete (headers as Record<string, unknown>)['content-type'];
    }
    return (super.writeHead as (...args: unknown[]) => this)(status, ...rest);
  }
}

/** A started hookline process: its URL, admin token, and how to stop it. */
export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  /** True when the admin token was generated (and kept in the SQLite database). */
  generatedToken: boolean;
  store: DeliveryStore;
  stop(): Promise<void>;
}

/** A listen failure (port taken, bad address), with a one-line message. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/** Open the store, start the dispatcher (unless --role api) and the HTTP API (unless --role worker). */
export async function startServer(
  config: ServeConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const store = await openStore(config.db, logger);
  try {
    return await startOn(store, config, logger);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Below this length an admin token is accepted with a warning: a guessable token opens every tenant. */
const SHORT_ADMIN_TOKEN = 16;

async function startOn(store: DeliveryStore, config: ServeConfig, logger: Logger): Promise<RunningServer> {
  let adminToken = config.adminToken;
  let generatedToken = false;
  // Said once the server listens, so that a start that fails (a taken port) prints only its one error line.
  const warnings = [...(store.startupWarnings ?? [])];
  if (adminToken === null) {
    adminToken = await store.putSettingIfAbsent(
      'admin_token',
      `hk_admin_${randomBytes(24).toString('base64url')}`,
    );
    generatedToken = true;
  } else if (adminToken.length < SHORT_ADMIN_TOKEN) {
    warnings.push(
      `HOOKLINE_ADMIN_TOKEN has ${adminToken.length} characters; anyone who guesses it controls every app: use 16 or more (e.g. openssl rand -hex 24)`,
    );
  }

  if (store.capabilities.multiProcess && config.role !== 'api' && config.leaseMs <= config.requestTimeoutMs) {
    warnings.push(
      `--lease ${config.leaseMs / 1000}s is not longer than --request-timeout ${config.requestTimeoutMs / 1000}s: an attempt whose lease is not extended in time (the database slow or away, the process paused) is sent again by another worker while it still runs; keep the lease well above the request timeout`,
    );
  }
  // What hookline.send_message enforces follows the processes that serve the API.
  if (config.role !== 'worker') await store.setStrictEventTypes?.(config.strictEventTypes);
  const clock = Date.now;
  const metrics = new Metrics(() => store.queueDepth());
  let delivery: Delivery | null = null;
  const target = config.operationalWebhookUrl
    ? await ensureOperationalEndpoint(store, config.operationalWebhookUrl, clock())
    : null;
  const operational = target ? new OperationalWebhooks(store, target, clock, logger, () => delivery?.wake()) : null;
  let deliveryFailure: () => string | null = () => null;
  if (config.role !== 'api') {
    const workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    if (store instanceof SqliteHost) {
      // SQLite: one process does everything, so delivery gets a thread (a core) of its own.
      const thread = await openDeliveryThread(
        store,
        { config, workerId, operational: target },
        (figures) => metrics.apply(figures),
        logger,
      );
      deliveryFailure = thread.failure;
      delivery = thread;
    } else {
      // PostgreSQL scales by processes, one per core: each delivers on its own event loop (an extra thread per
      // process only adds context switches when processes share cores: docs/benchmarks.md).
      const observer = deliveryObserver(metricsObserver(metrics), operational);
      delivery = localDelivery(store, config, workerId, logger, observer);
    }
  }
  const purger =
    config.role === 'api'
      ? null
      : new RetentionPurger(
          store,
          { retentionMs: config.retentionMs, batchSize: 200, clock, givenUp: (count) => metrics.givenUp(count) },
          logger,
        );

  const deps: ApiDeps = {
    store,
    config,
    logger,
    clock,
    eventTypes: new EventTypeCatalog(store, config.strictEventTypes, clock),
    apps: new AppDirectory(store, clock),
    appRateLimit: new AppRateLimit(config.apiRateLimit, clock, store.takeAppRateTokens?.bind(store)),
    operational,
    dispatch: delivery,
    metricsText: () => metrics.text(),
    health: async () => {
      const detail: Record<string, unknown> = { role: config.role };
      let ok = true;
      try {
        await settleWithin(store.ping(), STORE_PING_TIMEOUT_MS, () => {
          throw new Error(`the database did not answer within ${STORE_PING_TIMEOUT_MS} ms`);
        });
      } catch (error) {
        ok = false;
        detail.store = (error as Error).message;
        detail.reason = `the database does not answer or refuses writes: ${(error as Error).message}`;
      }
      const stopped = deliveryFailure();
      if (stopped) {
        ok = false;
        detail.delivery = stopped;
        detail.reason ??= `delivery is stopped: ${stopped}`;
      }
      const worker = stopped ? null : await delivery?.health();
      if (worker && !worker.ok) {
        ok = false;
        detail.worker = {
          reason: worker.reason,
          ...(worker.since !== undefined ? { since: new Date(worker.since).toISOString() } : {}),
        };
        detail.reason ??= `delivery is paused: ${worker.reason}`;
      }
      return { ok, detail };
    },
    messageAccepted: (created) => metrics.messageAccepted(created),
    deliveriesGivenUp: (count) => metrics.givenUp(count),
  };
  const authorize = makeAuthorizer(adminToken, store);
  const api = buildApi(deps, authorize);
  const hono = getRequestListener(api.fetch, { overrideGlobalObjects: false });
  // A `--role worker` process serves no API (buildApi answers /v1/* with a pointer to the api processes).
  const fastIngest = config.role === 'worker' ? () => false : ingestFastPath(deps, authorize);
  const server = createServer({ IncomingMessage, ServerResponse: HooklineResponse }, (req, res) => {
    if (fastIngest(req, res)) return;
    void hono(req, res);
  });
  server.keepAliveTimeout = 65_000;
  // A request must arrive whole within a minute (node's default is 5 minutes): a client that stalls its
  // body holds a socket and its buffered bytes no longer than that. Headers get the same minute.
  server.requestTimeout = 60_000;
  server.headersTimeout = 60_000;
  server.on('clientError', answerClientError);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${config.host}:${config.port}`;
        reject(
          new ListenError(
            error.code === 'EADDRINUSE'
              ? `port ${config.port} is already in use (${where})`
              : `cannot listen on ${where}: ${error.message}`,
          ),
        );
      });
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await delivery?.stop(0); // its thread would keep the process alive
    throw error;
  }
  for (const warning of warnings) logger.warn(warning);
  delivery?.start();
  purger?.start();

  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    adminToken,
    generatedToken,
    store,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await purger?.stop();
        await delivery?.stop(Math.min(config.requestTimeoutMs, 10_000));
        server.closeAllConnections();
        await closed;
        await store.close();
      })();
      return stopping;
    },
  };
}

/**
 * How long /healthz waits for the store. A database that stops answering without closing the connection (a
 * frozen host, a cut network) would hold the probe until the statement timeout (30 s); a load balancer's
 * check needs its answer sooner.
 */
const STORE_PING_TIMEOUT_MS = 2_000;

