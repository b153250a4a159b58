export { createIpcServer } from './server.js';
export type { IpcServer, IpcServerOptions } from './server.js';
export { connectIpc } from './client.js';
export type { IpcCallOptions, IpcClient, IpcClientOptions, IpcSubscribeOptions, IpcSubscription } from './client.js';
export { callMethod, defineMethods, subscribeMethod } from './methods.js';
export type {
  CallNames,
  EventOf,
  IpcCallMethod,
  IpcContext,
  IpcMethod,
  IpcMethods,
  IpcSubscribeMethod,
  IpcSubscriptionContext,
  ParamsOf,
  ResultOf,
  SubscriptionNames,
  UntypedMethods,
} from './methods.js';
export { resolveIpcPath, sunPathBytes, WINDOWS_PIPE_PREFIX } from './ipc-path.js';
export { CLIENT_DEFAULTS, SERVER_DEFAULTS } from './options.js';
export {
  ERROR_CODES,
  IpcError,
  IpcOptionsError,
  IpcPathError,
  IpcPathTooLongError,
  IpcRemoteError,
  IpcTimeoutError,
  isIpcError,
  isIpcRemoteError,
} from './errors.js';
export type { IpcErrorCode, IpcPathErrorCode } from './errors.js';
export { APPLICATION_RPC_CODE } from './protocol.js';
