export { resolveServeConfig, type ServeConfig } from './config/config.js';
export { type RunningServer, startServer } from './runtime/server.js';
