import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { renderApiDocs } from '../api/api-docs.js';
import { EventTypeCatalog } from '../api/event-type-catalog.js';
import { buildApi, openApiDocument } from '../api/server.js';
import { resolveServeConfig } from '../config/config.js';
import type { DeliveryStore } from '../store/port.js';

/** The OpenAPI document of the routes; building the API needs no store, since no handler runs. */
export function currentOpenApi() {
  const config = resolveServeConfig({ port: '0' }, {});
  const store = {} as DeliveryStore;
  const api = buildApi(
    {
      store,
      eventTypes: new EventTypeCatalog(store, false, Date.now),
      operational: null,
      config,
      logger: pino({ level: 'silent' }),
      clock: Date.now,
      dispatch: null,
      leaseMs: 30_000,
      metricsText: async () => ({ contentType: 'text/plain', body: '' }),
      health: async () => ({ ok: true, detail: {} }),
      messageAccepted: () => {},
    },
    'unused-admin-token-for-docs',
  );
  return openApiDocument(api);
}

// `npm run docs`: write docs/openapi.json and docs/api.md.
if (process.argv[1]?.endsWith('gen-docs.js')) {
  const doc = currentOpenApi();
  writeFileSync(
    new URL('../../../../../docs/openapi.json', import.meta.url),
    `${JSON.stringify(doc, null, 2)}\n`,
  );
  writeFileSync(new URL('../../../../../docs/api.md', import.meta.url), renderApiDocs(doc as never));
  console.log('wrote docs/openapi.json and docs/api.md');
}
