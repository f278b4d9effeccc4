import { createServer } from 'node:http';

/**
 * The benchmark's receiver, in a process of its own: answers 200 at once, counts deliveries and records
 * delay = arrival − the envelope's timestamp. GET /count is cheap to poll; GET /stats adds the delay
 * percentiles; POST /reset clears.
 */
let count = 0;
let delays: number[] = [];

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.end(JSON.stringify({ count })); // polled while waiting: no sorting here
    return;
  }
  if (req.method === 'GET' && req.url === '/stats') {
    const sorted = [...delays].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
    res.end(JSON.stringify({ count, p50: q(0.5), p95: q(0.95), p99: q(0.99) }));
    return;
  }
  if (req.url === '/reset') {
    count = 0;
    delays = [];
    res.end('{}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const arrived = Date.now();
    count++;
    if (req.headers['webhook-id']) {
      const body = Buffer.concat(chunks).toString();
      const match = /"timestamp":"([^"]+)"/.exec(body);
      if (match) delays.push(arrived - Date.parse(match[1]!));
    }
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send?.({ port: address.port });
});
process.on('disconnect', () => process.exit(0));
