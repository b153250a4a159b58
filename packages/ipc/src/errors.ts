/**
 * Every code @svc/ipc throws or sends. The docs page's `## Errors` table lists the same codes;
 * test/docs.test.ts keeps the two in step.
 */
export const ERROR_CODES = [
  'EIPC_TIMEOUT',
  'EIPC_NOT_RUNNING',
  'EIPC_CLOSED',
  'EIPC_IN_USE',
  'EIPC_PATH_TOO_LONG',
  'EIPC_INSECURE_PATH',
  'EIPC_ACCESS_DENIED',
  'EIPC_UNKNOWN_METHOD',
  'EIPC_BAD_PARAMS',
  'EIPC_FRAME_TOO_LARGE',
  'EIPC_BAD_FRAME',
  'EIPC_HANDLER',
  'EIPC_BUSY',
  'EIPC_INVALID_OPTIONS',
] as const;

export type IpcErrorCode = (typeof ERROR_CODES)[number];

// A Symbol.for brand, not instanceof: the ESM and CJS builds are two copies of this class when an
// app loads both, and instanceof fails across them.
const BRAND = Symbol.for('svc.ipc.error');

/**
 * Base class of every error @svc/ipc throws. `code` is one of `ERROR_CODES`, except on an
 * `IpcRemoteError`, where it is whatever code the server's handler threw (`ELOCKED`, …).
 */
export class IpcError<C extends string = IpcErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IpcError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any error thrown by any copy (ESM or CJS) of @svc/ipc, remote errors included. */
export function isIpcError(error: unknown): error is IpcError<string> {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** True for an error the server sent back (a handler's own code, or a protocol code). */
export function isIpcRemoteError(error: unknown): error is IpcRemoteError {
  return isIpcError(error) && (error as { remote?: unknown }).remote === true;
}

/** An option given to `createIpcServer` or `connectIpc` is missing, of the wrong type or out of range. */
export class IpcOptionsError extends IpcError<'EIPC_INVALID_OPTIONS'> {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super('EIPC_INVALID_OPTIONS', `@svc/ipc: option "${option}" is ${describe(value)}; expected ${expected}.`);
    this.name = 'IpcOptionsError';
    this.option = option;
    this.value = value;
  }
}

export type IpcPathErrorCode =
  | 'EIPC_NOT_RUNNING'
  | 'EIPC_IN_USE'
  | 'EIPC_PATH_TOO_LONG'
  | 'EIPC_INSECURE_PATH'
  | 'EIPC_ACCESS_DENIED';

/** Something about the socket path: nothing listens, someone else listens, too long, unsafe. */
export class IpcPathError extends IpcError<IpcPathErrorCode> {
  readonly path: string;

  constructor(code: IpcPathErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'IpcPathError';
    this.path = path;
  }
}

/** The path does not fit in `sun_path`; `limitBytes` is the platform's limit, NUL included. */
export class IpcPathTooLongError extends IpcPathError {
  readonly pathBytes: number;
  readonly limitBytes: number;

  constructor(path: string, pathBytes: number, limitBytes: number, platform: string) {
    super(
      'EIPC_PATH_TOO_LONG',
      path,
      `@svc/ipc: socket path is ${pathBytes} bytes, but ${platform} allows at most ${limitBytes - 1} ` +
        `(sun_path is ${limitBytes} bytes with the final NUL): ${path}. Use a shorter directory ` +
        `(for svc: set SVC_HOME or XDG_RUNTIME_DIR to a short path).`,
    );
    this.name = 'IpcPathTooLongError';
    this.pathBytes = pathBytes;
    this.limitBytes = limitBytes;
  }
}

/** A connect or a call took longer than `timeoutMs`. */
export class IpcTimeoutError extends IpcError<'EIPC_TIMEOUT'> {
  readonly timeoutMs: number;
  readonly method: string | null;

  constructor(message: string, timeoutMs: number, method: string | null) {
    super('EIPC_TIMEOUT', message);
    this.name = 'IpcTimeoutError';
    this.timeoutMs = timeoutMs;
    this.method = method;
  }
}

/**
 * An error response from the server, rethrown on the client. `code` is the code the server sent:
 * one of ours (`EIPC_UNKNOWN_METHOD`, `EIPC_BAD_PARAMS`, …) or the handler's own (`ELOCKED`).
 * `data` is the handler error's `data` field, when it had one. Never carries a remote stack.
 */
export class IpcRemoteError extends IpcError<string> {
  readonly remote = true as const;
  /** The JSON-RPC numeric code of the response (see the protocol section of the docs). */
  readonly rpcCode: number;
  /** The method of the call that failed; null for a connection-level error (id null). */
  readonly method: string | null;
  readonly data: unknown;

  constructor(code: string, message: string, details: { rpcCode: number; method: string | null; data?: unknown }) {
    super(code, message);
    this.name = 'IpcRemoteError';
    this.rpcCode = details.rpcCode;
    this.method = details.method;
    this.data = details.data;
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}
