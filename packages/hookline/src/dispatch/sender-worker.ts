/** The HTTP sender's own thread: signing, undici and the receivers' sockets. Started by sender-thread.ts. */
import { serveOnThread } from '../threads/rpc.js';
import { Sender, type SenderOptions } from './sender.js';

await serveOnThread(
  (data) => new Sender(data as SenderOptions),
  () => null,
);
