#!/usr/bin/env node
// Runs every compiled test file with node's test runner, two files at a time (2-core machine).
// PostgreSQL tests read HOOKLINE_TEST_PG; when it is unset and PostgreSQL answers on 127.0.0.1:5432,
// it is set here so a developer's `npm test` runs them too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

const roots = ['packages/sdk/dist/test', 'packages/hookline/dist/test'];
const files = roots
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))))
  .filter((f) => f.endsWith('.test.js'))
  .sort();

async function postgresAnswers() {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 5432 });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const env = { ...process.env };
if (!env.HOOKLINE_TEST_PG && (await postgresAnswers())) {
  env.HOOKLINE_TEST_PG = 'postgres://postgres@127.0.0.1:5432/test';
}
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((p) => f.includes(p))) : files;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
