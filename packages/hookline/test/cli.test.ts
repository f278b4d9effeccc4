import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { BIN, HooklineProcess } from './helpers/child.js';
import { waitFor } from './helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run `hookline …` to its exit; for commands that should fail at start. */
async function runToExit(args: string[], env: Record<string, string | undefined> = {}) {
  const child = new HooklineProcess(args, env);
  await child.exited;
  return child;
}

function assertOneLineError(child: HooklineProcess, pattern: RegExp) {
  assert.notEqual(child.exitCode, 0);
  const lines = child.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${child.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(child.stderr, /\n\s+at /, 'no stack trace');
}

describe('hookline serve', () => {
  it('prints its URL and a generated admin token, reuses the token, and exits 0 on SIGTERM', async () => {
    const db = join(dir, 'token.db');
    const first = new HooklineProcess(['serve', '--port', '0', '--db', db], {
      HOOKLINE_ADMIN_TOKEN: undefined,
    });
    const url = await first.listening();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = /admin token: (\S+)/.exec(first.stdout)?.[1];
    assert.ok(token, first.stdout);
    const res = await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    first.kill('SIGTERM');
    await first.exited;
    assert.equal(first.exitCode, 0, first.stderr);

    const second = new HooklineProcess(['serve', '--port', '0', '--db', db], {
      HOOKLINE_ADMIN_TOKEN: undefined,
    });
    await second.listening();
    assert.equal(/admin token: (\S+)/.exec(second.stdout)?.[1], token);
    second.kill('SIGINT');
    await second.exited;
    assert.equal(second.exitCode, 0);
  });

  it('stops, as on SIGTERM, when the npm that started it is gone (a signal to npx reaches only its shell)', async () => {
    // As npm exec and npm run start it: through `sh -c`, with npm_lifecycle_script set. In a process group of
    // its own, so that whatever happens nothing outlives the test.
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" serve --port 0 --db "${join(dir, 'npx.db')}"; true`], {
      env: { ...process.env, HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env', npm_lifecycle_script: 'hookline' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    sh.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    sh.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await waitFor(() => /hookline listening on (\S+)/.exec(stdout)?.[1], 'the URL');
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      sh.kill('SIGKILL'); // hookline is orphaned
      await waitFor(
        () => fetch(`${url}/healthz`).then(() => false, () => true),
        'the orphaned server to stop',
      );
      await waitFor(() => stderr.includes('npm, which started it, has stopped'), 'the line saying why');
    } finally {
      try {
        process.kill(-sh.pid!, 'SIGKILL');
      } catch {
        // the group is gone already: nothing outlived the test
      }
    }
  });

  it('does not print a token when HOOKLINE_ADMIN_TOKEN is set', async () => {
    const child = new HooklineProcess(['serve', '--port', '0', '--db', join(dir, 'env.db')], {
      HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
    });
    const url = await child.listening();
    assert.doesNotMatch(child.stdout, /admin token/);
    const res = await fetch(`${url}/v1/apps`, {
      headers: { authorization: 'Bearer an-admin-token-from-env' },
    });
    assert.equal(res.status, 200);
    await child.stop();
  });

  it('accepts a short HOOKLINE_ADMIN_TOKEN with a warning', async () => {
    const child = new HooklineProcess(['serve', '--port', '0', '--db', join(dir, 'short.db')], {
      HOOKLINE_ADMIN_TOKEN: 'secret',
      HOOKLINE_LOG_LEVEL: 'warn',
    });
    const url = await child.listening();
    const res = await fetch(`${url}/v1/apps`, { headers: { authorization: 'Bearer secret' } });
    assert.equal(res.status, 200);
    assert.match(child.stdout + child.stderr, /HOOKLINE_ADMIN_TOKEN has 6 characters/);
    await child.stop();
  });

  it('exits non-zero with one clear line on bad flags', async () => {
    assertOneLineError(
      await runToExit(['serve', '--port', 'abc', '--db', join(dir, 'x.db')]),
      /--port must be a whole number/,
    );
    assertOneLineError(await runToExit(['serve', '--retry-schedule', '5s,,1m']), /--retry-schedule/);
    assertOneLineError(await runToExit(['serve', '--role', 'boss']), /--role must be api, worker or all/);
    assertOneLineError(await runToExit(['serve', '--request-timeout', 'soon']), /--request-timeout/);
    assertOneLineError(await runToExit(['serve', '--no-such-flag']), /^hookline: unknown option/);
    assertOneLineError(
      await runToExit(['serve', '--role', 'api', '--db', join(dir, 'role.db')]),
      /--role api needs PostgreSQL/,
    );
    assertOneLineError(await runToExit(['serve', '--api-rate-limit', '-5']), /--api-rate-limit must be a whole number/);
    // A value from the environment is named as it was given.
    assertOneLineError(await runToExit(['serve'], { HOOKLINE_PORT: '70000' }), /^hookline: HOOKLINE_PORT must be between/);
    assertOneLineError(
      await runToExit(['serve'], { HOOKLINE_ALLOW_PRIVATE_NETWORK: 'maybe' }),
      /HOOKLINE_ALLOW_PRIVATE_NETWORK/,
    );
  });

  it('exits non-zero with one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = await runToExit(['serve', '--port', String(port), '--db', join(dir, 'port.db')], {
        HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
      });
      assertOneLineError(child, new RegExp(`port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('refuses a second process on the same SQLite file with one line', async () => {
    const db = join(dir, 'shared.db');
    const owner = new HooklineProcess(['serve', '--port', '0', '--db', db], {
      HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
    });
    await owner.listening();
    try {
      const second = await runToExit(['serve', '--port', '0', '--db', db], {
        HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
      });
      assertOneLineError(second, /in use by another hookline process/);
    } finally {
      await owner.stop();
    }
  });

  it('exits non-zero with one line when PostgreSQL cannot be reached, never showing a password', async () => {
    const child = await runToExit(['serve', '--port', '0', '--db', 'postgres://hook:s3cret@127.0.0.1:9/hookline'], {
      HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
    });
    assertOneLineError(child, /cannot use PostgreSQL at 127\.0\.0\.1:9\/hookline: .*ECONNREFUSED/);
    assert.doesNotMatch(child.stderr, /s3cret/);
  });

  it('says what a connection closed before PostgreSQL answered usually means', async () => {
    // Something that is not PostgreSQL (or a proxy) takes the connection, reads the startup and closes it.
    const closer = createServer((socket) => socket.on('data', () => socket.end()));
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    const port = (closer.address() as { port: number }).port;
    try {
      const child = await runToExit(['serve', '--port', '0', '--db', `postgres://127.0.0.1:${port}/hookline`], {
        HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env',
      });
      assertOneLineError(child, /Connection terminated unexpectedly \(the connection closed before PostgreSQL answered: check the host and port/);
    } finally {
      closer.close();
    }
  });

  it('refuses PostgreSQL without HOOKLINE_ADMIN_TOKEN, and a lease out of bounds', async () => {
    assertOneLineError(
      await runToExit(['serve', '--db', 'postgres://127.0.0.1:9/x'], { HOOKLINE_ADMIN_TOKEN: undefined }),
      /HOOKLINE_ADMIN_TOKEN is required with PostgreSQL/,
    );
    assertOneLineError(await runToExit(['serve', '--lease', '100ms']), /--lease must be between 1s and 10m/);
    assertOneLineError(
      await runToExit(['serve', '--db', 'postgres://host:port/db'], { HOOKLINE_ADMIN_TOKEN: 'an-admin-token-from-env' }),
      /--db must be a URL like postgres:\/\/user:password@host:5432\/database/,
    );
  });

  it('exits non-zero with one line when the database cannot be opened', async () => {
    assertOneLineError(
      await runToExit(['serve', '--port', '0', '--db', join(dir, 'missing-dir', 'sub', 'x.db')]),
      /cannot open database/,
    );
  });
});
