/**
 * Micro-benchmark: verifications per second of one 1 KB webhook, ours against the official
 * `standardwebhooks` package, on the same input. Each side runs ~300 ms per round, best of 3.
 * Run: `node packages/sdk/dist/bench/verify-bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signWebhook, verifyWebhook } from '../src/index.js';

const ROUND_MS = 300;
const ROUNDS = 3;
const BATCH = 200;

function oneKilobyteBody(): string {
  const envelope = {
    type: 'order.paid',
    timestamp: new Date().toISOString(),
    data: { orderId: 'ord_1', note: '' },
  };
  const base = JSON.stringify(envelope).length;
  envelope.data.note = 'x'.repeat(1024 - base);
  return JSON.stringify(envelope);
}

/** Best-of-rounds rate of `verify`, in calls per second. */
function measure(verify: () => unknown): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed: number;
    do {
      for (let i = 0; i < BATCH; i++) verify();
      calls += BATCH;
      elapsed = performance.now() - start;
    } while (elapsed < ROUND_MS);
    best = Math.max(best, (calls / elapsed) * 1000);
  }
  return Math.round(best);
}

/** Verifications per second of the same 1 KB signed request by this SDK and by `standardwebhooks`. */
export async function runVerifyBench(): Promise<{ ours: number; standardwebhooks: number }> {
  const secret = generateSecret();
  const body = oneKilobyteBody();
  const headers = signWebhook(secret, { id: 'msg_2bTXfjPzzBgMmFZZFGwEzRF2D4r', body });
  const official = new Webhook(secret);
  // Both must accept the input, or the numbers compare different work.
  verifyWebhook(secret, body, headers);
  official.verify(body, headers);
  const ours = measure(() => verifyWebhook(secret, body, headers));
  const standardwebhooks = measure(() => official.verify(body, headers));
  return { ours, standardwebhooks };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ours, standardwebhooks } = await runVerifyBench();
  console.log(
    `verify 1 KB: @hookline/sdk ${ours}/s, standardwebhooks ${standardwebhooks}/s (${(ours / standardwebhooks).toFixed(2)}x)`,
  );
}
