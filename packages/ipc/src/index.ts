// The client side (connect, call, subscribe, the method helpers, paths, errors) is also the
// `@svc/ipc/client` entry; this one adds the server.
export * from './client-entry.js';
export { createIpcServer } from './server.js';
export type { IpcServer, IpcServerOptions } from './server.js';
export { SERVER_DEFAULTS } from './options.js';
export { APPLICATION_RPC_CODE } from './protocol.js';
