// The `@hookline/sdk/web` entry: only modules free of `node:` imports (a test checks the import graph).
export {
  createFetchHandler,
  createNextRouteHandler,
  type FetchAdapterOptions,
  handleRequest,
  type NextRouteHandlerOptions,
  readRequestBody,
} from './adapters/fetch.js';
// The typed API client: the same exports as `@hookline/sdk/client`.
export * from './client/index.js';
export { createRouter } from './create-router-web.js';
export {
  type ClaimResult,
  DEFAULT_DEDUP_TTL_SECONDS,
  DEFAULT_LEASE_SECONDS,
  type DedupStore,
} from './dedup/dedup-store.js';
export { MemoryDedupStore, type MemoryDedupStoreOptions } from './dedup/memory-dedup-store.js';
export {
  RedisDedupStore,
  type RedisDedupStoreOptions,
  type RedisLikeClient,
} from './dedup/redis-dedup-store.js';
export {
  isWebhookVerificationError,
  VERIFICATION_ERROR_CODES,
  type VerificationErrorCode,
  WebhookVerificationError,
} from './errors.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  PayloadTooLargeError,
  RECEIVER_ERROR_STATUS,
  type ReceiveOptions,
  type ReceiverErrorCode,
  type WebhookReceiver,
  type WebhookResponse,
} from './receiver.js';
export {
  type DedupOptions,
  type EventHandler,
  type EventMeta,
  type RouterOptions,
  type Verifier,
  WebhookRouter,
} from './router.js';
export { verifyWebhookAsync, type WebRawBody } from './verify-async.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  type HeadersLike,
  type HeaderValue,
  type VerifierKey,
  type VerifyOptions,
  type WebhookEvent,
  type WebhookHeadersInput,
} from './webhook-input.js';
