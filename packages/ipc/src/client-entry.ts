// `@svc/ipc/client`: what a caller of a server needs (connect, call, subscribe, the errors and the
// method helpers for shared method tables), without the server and its file-system checks, so a
// short-lived CLI loads less. `@svc/ipc` (index.ts) exports all of it and the server.
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
export { CLIENT_DEFAULTS } from './options.js';
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
