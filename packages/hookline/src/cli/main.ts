import { Command, CommanderError } from 'commander';
import { ConfigError, type RawServeOptions, resolveServeConfig } from '../config/config.js';
import { StoreOpenError } from '../runtime/open-store.js';
import { ListenError, startServer } from '../runtime/server.js';
import { DatabaseLockedError } from '../store/sqlite/sqlite-store.js';
import { VERSION } from '../version.js';

/** Errors whose message is the whole story for the user: printed as one line, no stack. */
const PLAIN_ERRORS = [ConfigError, StoreOpenError, ListenError, DatabaseLockedError];

async function serve(options: RawServeOptions): Promise<void> {
  const config = resolveServeConfig(options);
  const server = await startServer(config);
  let signalled = false;
  const shutdown = (why: string) => {
    if (signalled) return;
    signalled = true;
    console.error(`hookline: ${why}, finishing in-flight attempts`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`hookline: shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  // Before the URL is printed: a signal sent the moment it appears must find the handlers in place.
  process.on('SIGTERM', () => shutdown('SIGTERM received'));
  process.on('SIGINT', () => shutdown('SIGINT received'));
  if (config.stopWhenOrphaned) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && shutdown('npm, which started it, has stopped'), 500).unref();
  }
  if (server.generatedToken) console.log(`admin token: ${server.adminToken}`);
  console.log(`hookline listening on ${server.url}`);
}

/** The `hookline` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('hookline')
    .description('Webhook delivery for open platforms')
    .version(VERSION)
    .exitOverride()
    // Commander's own errors (an unknown option) read like hookline's: one `hookline: …` line.
    .configureOutput({ writeErr: (text) => process.stderr.write(text.replace(/^error: /, 'hookline: ')) });
  program
    .command('serve')
    .description('run the API and the delivery workers')
    .option('--port <n>', 'API port (0 = pick a free one) [HOOKLINE_PORT, 8080]')
    .option('--host <h>', 'bind address [HOOKLINE_HOST, 127.0.0.1]')
    .option('--db <url>', 'SQLite file path or postgres:// URL [HOOKLINE_DB, ./hookline.db]')
    .option(
      '--retry-schedule <list>',
      'delays before retries 1..n [HOOKLINE_RETRY_SCHEDULE, 5s,5m,30m,2h,5h,10h,10h]',
    )
    .option('--request-timeout <dur>', 'per attempt [HOOKLINE_REQUEST_TIMEOUT, 15s]')
    .option('--allow-private-network', 'permit endpoints on loopback/private/link-local addresses')
    .option('--max-body <bytes>', 'largest request body accepted [HOOKLINE_MAX_BODY, 1048576]')
    .option('--strict-event-types', 'refuse messages of unregistered event types')
    .option('--role <role>', 'api, worker or all [HOOKLINE_ROLE, all]')
    .option(
      '--auto-disable-after <dur>',
      'disable an endpoint failing this long [HOOKLINE_AUTO_DISABLE_AFTER, 5d]',
    )
    .option('--lease <dur>', 'how long a worker holds a delivery before another may take it [HOOKLINE_LEASE, 30s]')
    .option('--retention <dur>', 'purge messages and attempts older than this [HOOKLINE_RETENTION, 30d]')
    .option(
      '--api-rate-limit <n>',
      "each app's API requests per second (all processes together on PostgreSQL), 429 beyond; 0 = none [HOOKLINE_API_RATE_LIMIT, 0]",
    )
    .option(
      '--operational-webhook-url <url>',
      "send hookline's own events (endpoint.disabled, …) here [HOOKLINE_OPERATIONAL_WEBHOOK_URL]",
    )
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent [HOOKLINE_LOG_LEVEL, info]')
    .action(serve);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    if (PLAIN_ERRORS.some((kind) => error instanceof kind)) {
      console.error(`hookline: ${(error as Error).message}`);
      process.exit(1);
    }
    console.error(`hookline: unexpected error: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  }
}
