import { pino } from 'pino';
import { type RawServeOptions, resolveServeConfig } from '../../src/config/config.js';
import { type RunningServer, startServer } from '../../src/runtime/server.js';
import { sqliteBackend, type TestBackend } from './backend.js';

/** A response from the API: status, headers and parsed JSON body (or text). */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A hookline server running in this process on a fresh database of `backend` (a temp SQLite file by
 * default), with a small API client.
 */
export class TestHookline {
  private constructor(
    readonly server: RunningServer,
    /** The `--db` value: a file path or a postgres:// URL. */
    readonly db: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(
    flags: RawServeOptions = {},
    env: Record<string, string> = {},
    backend: TestBackend = sqliteBackend,
  ): Promise<TestHookline> {
    const { db, drop } = await backend.database();
    try {
      const config = resolveServeConfig(
        { port: '0', db, allowPrivateNetwork: true, ...flags },
        { HOOKLINE_ADMIN_TOKEN: 'test-admin-token-0123456789', ...env },
      );
      const server = await startServer(config, pino({ level: process.env.TEST_LOG ?? 'silent' }));
      return new TestHookline(server, db, drop);
    } catch (error) {
      await drop();
      throw error;
    }
  }

  get url(): string {
    return this.server.url;
  }

  /** Call the API as the admin (or with `token`); the body is sent as JSON unless it is a string. */
  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.server.adminToken,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text (e.g. /metrics)
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Create an app and return its id. */
  async app(name = 'acme', uid?: string): Promise<string> {
    const res = await this.call('POST', '/v1/apps', uid ? { name, uid } : { name });
    if (res.status !== 201) throw new Error(`creating app: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  /** Create an endpoint and return its id and secret. */
  async endpoint(appId: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const res = await this.call('POST', `/v1/apps/${appId}/endpoints`, body);
    if (res.status !== 201) throw new Error(`creating endpoint: ${res.status} ${JSON.stringify(res.body)}`);
    const secret = await this.call('GET', `/v1/apps/${appId}/endpoints/${res.body.id}/secret`);
    return { id: res.body.id as string, secret: secret.body.secret as string };
  }

  async send(appId: string, body: Record<string, unknown>): Promise<ApiResponse> {
    return this.call('POST', `/v1/apps/${appId}/messages`, body);
  }

  async attempts(appId: string, messageId: string): Promise<any[]> {
    const res = await this.call('GET', `/v1/apps/${appId}/messages/${messageId}/attempts?limit=250`);
    return res.body.data as any[];
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.dropDatabase();
  }
}
