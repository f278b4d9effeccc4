export {
  createExpressHandler,
  type ExpressLikeHandler,
  type ExpressLikeRequest,
  RawBodyUnavailableError,
} from './adapters/express.js';
export {
  createFastifyPlugin,
  type FastifyLikeInstance,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  type FastifyPluginOptions,
} from './adapters/fastify.js';
export {
  createFetchHandler,
  createNextRouteHandler,
  type FetchAdapterOptions,
  handleRequest,
  type NextRouteHandlerOptions,
  readRequestBody,
} from './adapters/fetch.js';
export {
  createNodeHandler,
  type NodeAdapterOptions,
  readRawBody,
  sendNodeResponse,
} from './adapters/node-http.js';
// The typed API client: the same exports as `@hookline/sdk/client`.
export * from './client/index.js';
export { createRouter } from './create-router.js';
export {
  type ClaimResult,
  DEFAULT_DEDUP_TTL_SECONDS,
  DEFAULT_LEASE_SECONDS,
  type DedupStore,
} from './dedup/dedup-store.js';
export { MemoryDedupStore, type MemoryDedupStoreOptions } from './dedup/memory-dedup-store.js';
export {
  dedupSql,
  type PgQueryable,
  PostgresDedupStore,
  type PostgresDedupStoreOptions,
} from './dedup/postgres-dedup-store.js';
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
export { generateSecret, generateSigningKeyPair, publicKeyOf, type SigningKeyPair } from './keys.js';
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
export {
  SEND_MESSAGE_SQL,
  type SendMessageClient,
  type SendMessageInput,
  sendMessage,
} from './send-message.js';
export { type SignedHeaders, type SignInput, signWebhook } from './sign.js';
export {
  decodeSecret,
  hmacV1,
  SECRET_PREFIX,
  signedContent,
  signV1,
  signV1a,
  verifyEd25519,
} from './signing.js';
export { type RawBody, verifyWebhook } from './verify.js';
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
