import pg from 'pg';
import { StoreUnavailableError } from '../errors.js';

/**
 * The small subset of node-postgres this adapter uses (kysely's habit): the rest of the adapter is
 * written against these interfaces, and this is the only file that imports `pg`.
 */
export interface PgResult<R> {
  rows: R[];
  rowCount: number | null;
  /** The command tag: 'COMMIT' answers 'ROLLBACK' when the transaction had failed. */
  command: string;
}

export interface PgQueryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgResult<R>>;
  /**
   * Inside a write unit only: send a statement whose answer nobody waits for; it travels with the unit's
   * COMMIT instead of a round trip of its own, and its failure fails the unit there.
   */
  send?(text: string, values?: unknown[]): void;
}

/** A pooled connection, checked out for one transaction. */
export interface PgConnection extends PgQueryable {
  /** Give the connection back; pass the error to destroy it instead (broken connection). */
  release(error?: Error | boolean): void;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgConnection>;
  end(): Promise<void>;
}

/** A dedicated connection that LISTENs. */
export interface PgListenConnection extends PgQueryable {
  onNotification(listener: (channel: string, payload: string) => void): void;
  /** Called once when the connection breaks or ends. */
  onClose(listener: (error: Error | null) => void): void;
  end(): Promise<void>;
}

export interface PgOptions {
  /** Pool size. */
  max: number;
  /** Longest wait to connect or to get a pooled connection. */
  connectTimeoutMs: number;
  /** Longest a single statement may take before the connection is considered broken. */
  queryTimeoutMs: number;
  /** Called with errors of idle pooled connections (the server went away between queries). */
  onIdleError: (error: Error) => void;
}

// bigint (int8) columns hold epoch milliseconds and counts: well inside Number's exact range.
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text'),
};

function connectionConfig(url: string, options: Pick<PgOptions, 'connectTimeoutMs' | 'queryTimeoutMs'>) {
  return {
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    // The server ends a statement a little before the client gives up on it: otherwise a statement the
    // client abandoned (a lock wait behind a platform's open transaction) holds its backend until it ends.
    ...(options.queryTimeoutMs > 1_000 ? { statement_timeout: options.queryTimeoutMs - 500 } : {}),
    keepAlive: true,
    application_name: 'hookline',
    types,
  };
}

/**
 * Parameterized statements run as named prepared statements: each connection parses and plans one
 * once instead of on every execution (the hot path repeats a handful of statements thousands of times).
 * Statements without parameters (BEGIN, COMMIT, migrations of several statements) go as simple queries.
 */
const statementNames = new Map<string, string>();
function queryConfig(text: string, values: unknown[] | undefined) {
  if (values === undefined) return text;
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `hookline_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export function createPool(url: string, options: PgOptions): PgPool {
  // pipeline: a query goes out without waiting for the answer to the one before, so a transaction's BEGIN
  // travels with its first statement and COMMIT with its last (write-batcher.ts). Queries awaited one by one
  // run as before.
  const pool = new pg.Pool({
    ...connectionConfig(url, options),
    max: options.max,
    idleTimeoutMillis: 30_000,
    pipeline: true,
  });
  // Without a listener, an idle connection killed by the server would crash the process.
  pool.on('error', (error) => options.onIdleError(error));
  return {
    query: (text, values) => pool.query(queryConfig(text, values)) as never,
    end: () => pool.end(),
    connect: async () => {
      const client = await pool.connect();
      // A checked-out connection has no listener of the pool's: one killed between two statements of a
      // transaction (a server restart) would otherwise crash the process. Keep the error, fail with it.
      let failure: Error | undefined;
      const onError = (error: Error) => {
        failure = error;
      };
      client.on('error', onError);
      return {
        query: (text, values) =>
          failure ? Promise.reject(failure) : (client.query(queryConfig(text, values)) as never),
        release: (error) => {
          client.removeListener('error', onError);
          client.release(error ?? failure);
        },
      };
    },
  };
}

/** Open a connection of its own, outside the pool (LISTEN; VACUUM, with no query timeout: `queryTimeoutMs` 0). */
export async function connectDedicated(
  url: string,
  options: Pick<PgOptions, 'connectTimeoutMs' | 'queryTimeoutMs'>,
): Promise<PgListenConnection> {
  const client = new pg.Client(connectionConfig(url, options));
  let closed = false;
  const closeListeners: Array<(error: Error | null) => void> = [];
  const close = (error: Error | null) => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(error);
  };
  client.on('error', (error) => close(error));
  client.on('end', () => close(null));
  try {
    await client.connect();
  } catch (error) {
    closed = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    query: (text, values) => client.query(text, values) as never,
    onNotification: (listener) => client.on('notification', (n) => listener(n.channel, n.payload ?? '')),
    onClose: (listener) => closeListeners.push(listener),
    end: async () => {
      closed = true;
      await client.end().catch(() => undefined);
    },
  };
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
]);

const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end|Client was closed|connection error/i;

/**
 * True when an error means "the database is not there" rather than "this statement is wrong":
 * connection and transport failures, shutdown and startup (57P0x), resources (53xxx: disk full, too
 * many connections), system errors (58xxx), a read-only server (25006, e.g. a failover in progress) and a
 * statement that ran past the statement timeout (57014).
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true; // already mapped (toStoreError)
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_NODE_CODES.has(code)) return true;
  // 08P01 (protocol violation) is a bug in the statement's parameters, not an outage.
  if (code === '08P01') return false;
  // 57014: the statement ran past statement_timeout (the server's side of the query timeout).
  if (/^(08|53|57P|58)/.test(code) || code === '25006' || code === '57014') return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
}

/**
 * A prepared statement planned before a migration changed its tables (another process upgraded the
 * schema): the connection must be dropped, and the statement can run again on a fresh one.
 */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && /cached plan must not change/.test(e.message);
}

/** The SQLSTATE of a driver error (or a Node error code), if it has one. */
export function sqlState(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A lock wait that ran past lock_timeout (SQLSTATE 55P03 lock_not_available); the store passes it through as raised. */
export function isLockTimeout(error: unknown): boolean {
  return sqlState(error) === '55P03';
}

/** A statement refused because an earlier one of its transaction failed (SQLSTATE 25P02 in_failed_sql_transaction). */
export function isAborted(error: unknown): boolean {
  return sqlState(error) === '25P02';
}

/** Serialization failure, deadlock or a stale plan: nothing was done, and the work may simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40001' || code === '40P01' || isStalePlan(error);
}

/** The database refused a value (SQLSTATE class 22, data exception, or 23, integrity constraint). */
export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Map a driver error to the store's error vocabulary: unavailability becomes StoreUnavailableError. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const message = (error as { message?: string }).message ?? String(error);
  return new StoreUnavailableError(`the database is unavailable: ${message}`);
}

/** An error as one small object for a log line (driver errors carry their whole connection). */
export function errorSummary(error: unknown): { message: string; code?: string } {
  const e = error as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' ? { message, code: e.code } : { message };
}

/** `host:port/database` of a URL, for messages: never the password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return 'the PostgreSQL database';
  }
}
