import { checkEndpointUrl } from '../core/address-policy.js';
import { parseDuration, parseSchedule } from '../core/duration.js';

/** Which halves of hookline a process runs. */
export type Role = 'api' | 'worker' | 'all';

/** Everything a `hookline serve` process is configured with, parsed and validated once at start. */
export interface ServeConfig {
  port: number;
  host: string;
  db: string;
  adminToken: string | null;
  retrySchedule: number[];
  requestTimeoutMs: number;
  allowPrivateNetwork: boolean;
  maxBodyBytes: number;
  strictEventTypes: boolean;
  role: Role;
  /** An endpoint whose every attempt failed for this long (and at least the whole schedule) is disabled. */
  autoDisableAfterMs: number;
  /** How long a worker holds a delivery before another may take it over (extended while in flight). */
  leaseMs: number;
  /** Messages (payloads, deliveries, attempts) and stats older than this are purged in the background. */
  retentionMs: number;
  /** Requests per second each app may make to this process's API (bursts of one second's worth); 0 = no limit. */
  apiRateLimit: number;
  /** Where hookline sends its own operational webhooks (endpoint.disabled, …); null = none. */
  operationalWebhookUrl: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Started by npm (npx, npm run): stop as on SIGTERM when the shell npm started goes away. */
  stopWhenOrphaned?: boolean;
}

/** A bad flag or environment value; the CLI prints `message` as its one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Raw option values as commander hands them over (flags win over env). */
export interface RawServeOptions {
  port?: string;
  host?: string;
  db?: string;
  retrySchedule?: string;
  requestTimeout?: string;
  allowPrivateNetwork?: boolean;
  maxBody?: string;
  strictEventTypes?: boolean;
  role?: string;
  autoDisableAfter?: string;
  lease?: string;
  retention?: string;
  apiRateLimit?: string;
  operationalWebhookUrl?: string;
  logLevel?: string;
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off', '']);

function envBool(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined) return false;
  const lower = value.trim().toLowerCase();
  if (TRUE_VALUES.has(lower)) return true;
  if (FALSE_VALUES.has(lower)) return false;
  throw new ConfigError(`${name} must be 1/true/yes/on or 0/false/no/off, got "${value}"`);
}

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${what} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max)
    throw new ConfigError(`${what} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function duration(text: string, what: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0)
    throw new ConfigError(`${what} must be a duration such as 15s or 500ms, got "${text}"`);
  return ms;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Merge flags with `HOOKLINE_*` environment variables and validate every value. This is the only
 * place hookline reads `process.env` (STYLE.md habit 11). Throws ConfigError with a one-line message.
 */
export function resolveServeConfig(
  flags: RawServeOptions,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const fromEnv = new Set<string>();
  try {
    return resolve(flags, env, fromEnv);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(namingTheSource(error.message, fromEnv));
    throw error;
  }
}

/** A message about `--some-flag` names HOOKLINE_SOME_FLAG instead when that is where the value came from. */
function namingTheSource(message: string, fromEnv: Set<string>): string {
  const flag = /^--([a-z-]+)/.exec(message)?.[1];
  const name = flag && `HOOKLINE_${flag.replaceAll('-', '_').toUpperCase()}`;
  return name && fromEnv.has(name) ? `${name}${message.slice(flag.length + 2)}` : message;
}

function resolve(flags: RawServeOptions, env: NodeJS.ProcessEnv, fromEnv: Set<string>): ServeConfig {
  const pick = (flag: string | undefined, name: string, fallback: string) => {
    if (flag === undefined && env[name] !== undefined) fromEnv.add(name);
    return flag ?? env[name] ?? fallback;
  };

  const port = integer(pick(flags.port, 'HOOKLINE_PORT', '8080'), '--port', 0, 65535);
  const host = pick(flags.host, 'HOOKLINE_HOST', '127.0.0.1').trim();
  if (host === '') throw new ConfigError('--host must not be empty');
  const db = pick(flags.db, 'HOOKLINE_DB', './hookline.db').trim();
  if (db === '') throw new ConfigError('--db must be a file path or a postgres:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(db)?.[1];
  if (scheme !== undefined && !isPostgresUrl(db)) {
    throw new ConfigError(`--db must be a SQLite file path or a postgres:// URL, not a ${scheme}:// URL`);
  }

  const scheduleText = pick(flags.retrySchedule, 'HOOKLINE_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,10h');
  const retrySchedule = parseSchedule(scheduleText);
  if (!retrySchedule) {
    throw new ConfigError(
      `--retry-schedule must be a comma-separated list of durations like 5s,5m,2h, got "${scheduleText}"`,
    );
  }
  if (retrySchedule.length > 50) throw new ConfigError('--retry-schedule may have at most 50 entries');

  const requestTimeoutMs = duration(
    pick(flags.requestTimeout, 'HOOKLINE_REQUEST_TIMEOUT', '15s'),
    '--request-timeout',
  );
  if (requestTimeoutMs > 300_000) throw new ConfigError('--request-timeout must be at most 5m');
  const maxBodyBytes = integer(
    pick(flags.maxBody, 'HOOKLINE_MAX_BODY', '1048576'),
    '--max-body',
    1,
    64 * 1024 * 1024,
  );

  const roleText = pick(flags.role, 'HOOKLINE_ROLE', 'all');
  if (roleText !== 'api' && roleText !== 'worker' && roleText !== 'all') {
    throw new ConfigError(`--role must be api, worker or all, got "${roleText}"`);
  }
  const autoDisableAfterMs = duration(
    pick(flags.autoDisableAfter, 'HOOKLINE_AUTO_DISABLE_AFTER', '5d'),
    '--auto-disable-after',
  );
  const leaseMs = duration(pick(flags.lease, 'HOOKLINE_LEASE', '30s'), '--lease');
  if (leaseMs < 1_000 || leaseMs > 600_000) throw new ConfigError('--lease must be between 1s and 10m');
  const retentionMs = duration(pick(flags.retention, 'HOOKLINE_RETENTION', '30d'), '--retention');
  const apiRateLimit = integer(pick(flags.apiRateLimit, 'HOOKLINE_API_RATE_LIMIT', '0'), '--api-rate-limit', 0, 1_000_000);
  const allowPrivateNetwork =
    flags.allowPrivateNetwork === true || envBool(env, 'HOOKLINE_ALLOW_PRIVATE_NETWORK');
  const operationalWebhookUrl =
    pick(flags.operationalWebhookUrl, 'HOOKLINE_OPERATIONAL_WEBHOOK_URL', '').trim() || null;
  const urlProblem = operationalWebhookUrl && checkEndpointUrl(operationalWebhookUrl, allowPrivateNetwork);
  if (urlProblem) throw new ConfigError(`--operational-webhook-url ${urlProblem}`);
  const logLevel = pick(flags.logLevel, 'HOOKLINE_LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminToken = env.HOOKLINE_ADMIN_TOKEN?.trim() || null;
  // One process serves a SQLite file (it locks it), so that process must take messages and deliver them.
  if (!isPostgresUrl(db) && roleText !== 'all') {
    throw new ConfigError(`--role ${roleText} needs PostgreSQL: a SQLite file is served by one process, which runs the API and delivery both`);
  }
  if (isPostgresUrl(db) && !URL.canParse(db)) {
    throw new ConfigError('--db must be a URL like postgres://user:password@host:5432/database');
  }
  // Several processes share a PostgreSQL database, so none may invent a token of its own.
  if (isPostgresUrl(db) && adminToken === null) {
    throw new ConfigError('HOOKLINE_ADMIN_TOKEN is required with PostgreSQL');
  }

  return {
    port,
    host,
    db,
    adminToken,
    retrySchedule,
    requestTimeoutMs,
    allowPrivateNetwork,
    maxBodyBytes,
    strictEventTypes: flags.strictEventTypes === true || envBool(env, 'HOOKLINE_STRICT_EVENT_TYPES'),
    role: roleText,
    autoDisableAfterMs,
    leaseMs,
    retentionMs,
    apiRateLimit,
    operationalWebhookUrl,
    logLevel: logLevel as ServeConfig['logLevel'],
    // npm exec (npx) and npm run start the command through `sh -c`, and a signal to npm reaches only that
    // shell: without this, `kill <npx pid>` would leave hookline running, orphaned, holding the port.
    stopWhenOrphaned: env.npm_lifecycle_script !== undefined,
  };
}

/** True when `--db` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}
