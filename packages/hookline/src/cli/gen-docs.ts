import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { renderApiDocs } from '../api/api-docs.js';
import { makeAuthorizer } from '../api/auth.js';
import { renderClientTypes } from '../api/client-types.js';
import { AppDirectory } from '../api/app-directory.js';
import { AppRateLimit } from '../api/app-rate-limit.js';
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
      apps: new AppDirectory(store, Date.now),
      appRateLimit: new AppRateLimit(0, Date.now),
      operational: null,
      config,
      logger: pino({ level: 'silent' }),
      clock: Date.now,
      dispatch: null,
      metricsText: async () => ({ contentType: 'text/plain', body: '' }),
      health: async () => ({ ok: true, detail: {} }),
      messageAccepted: () => {},
      deliveriesGivenUp: () => {},
    },
    makeAuthorizer('unused-admin-token-for-docs', store),
  );
  return openApiDocument(api);
}

/** Where the SDK client's generated types live (the SDK never imports the server: it gets a file). */
export const CLIENT_TYPES_FILE = new URL('../../../../sdk/src/client/api-types.ts', import.meta.url);

// `npm run docs`: write docs/openapi.json, docs/api.md and the SDK client's types.
if (process.argv[1]?.endsWith('gen-docs.js')) {
  const doc = currentOpenApi();
  writeFileSync(
    new URL('../../../../../docs/openapi.json', import.meta.url),
    `${JSON.stringify(doc, null, 2)}\n`,
  );
  writeFileSync(new URL('../../../../../docs/api.md', import.meta.url), renderApiDocs(doc as never));
  writeFileSync(CLIENT_TYPES_FILE, renderClientTypes(doc as never));
  console.log('wrote docs/openapi.json, docs/api.md and packages/sdk/src/client/api-types.ts');
}
