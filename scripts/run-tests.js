#!/usr/bin/env node
// Runs every compiled test file with node's test runner, two files at a time (2-core machine).
// PostgreSQL tests read HOOKLINE_TEST_PG; when it is unset and PostgreSQL answers on 127.0.0.1:5432,
// it is set here so a developer's `npm test` runs them too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tcpAnswers } from '../packages/hookline/dist/bench/tcp.js';

const roots = ['packages/sdk/dist/test', 'packages/hookline/dist/test'];
const files = roots
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))))
  .filter((f) => f.endsWith('.test.js'))
  .sort();

const env = { ...process.env };
if (!env.HOOKLINE_TEST_PG && (await tcpAnswers('127.0.0.1', 5432))) {
  env.HOOKLINE_TEST_PG = 'postgres://postgres@127.0.0.1:5432/test';
}
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((p) => f.includes(p))) : files;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
