/**
 * The delivery thread (src/dispatch/delivery-worker.ts) that dies right after its first `start` while the
 * file named by HOOKLINE_TEST_CRASH_MARKER exists (it removes the file, so the next thread runs normally):
 * an uncaught error, as a bug would throw.
 */
import { existsSync, rmSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

await import('../../src/dispatch/delivery-worker.js');

const marker = process.env.HOOKLINE_TEST_CRASH_MARKER;
if (marker && existsSync(marker)) {
  parentPort!.on('message', (calls: Array<{ method?: string }>) => {
    if (!Array.isArray(calls) || !calls.some((call) => call.method === 'start')) return;
    rmSync(marker, { force: true });
    setImmediate(() => {
      throw new Error('injected: a bug in the delivery thread');
    });
  });
}
