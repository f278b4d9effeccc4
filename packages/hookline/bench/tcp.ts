import { createConnection } from 'node:net';

/**
 * Whether something accepts TCP connections at host:port within `timeoutMs`. The benchmark and the test
 * runner (scripts/run-tests.js, from the compiled copy) use it to find a PostgreSQL to run against.
 */
export function tcpAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs);
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
