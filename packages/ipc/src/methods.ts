import { IpcOptionsError } from './errors.js';
import { MAX_METHOD_CHARS, RESERVED_PREFIX } from './protocol.js';

/** What a handler learns about the call it serves. */
export interface IpcContext {
  /** The method name the client called. */
  readonly method: string;
  /** A number unique per connection within this server, for logs. */
  readonly connectionId: number;
  /**
   * Aborted when the result is no longer wanted: the client cancelled the call (its timeout ran
   * out), unsubscribed, disconnected, or the server is closing.
   */
  readonly signal: AbortSignal;
}

/** The context of a subscription: the call context plus a way to end it from the server side. */
export interface IpcSubscriptionContext extends IpcContext {
  /**
   * Ends the subscription: the client's `onEnd` is called (with an `IpcRemoteError` built from
   * `error` when given) and the function `subscribe` returned is called.
   */
  end(error?: unknown): void;
  /**
   * Resolves once the connection can take more: at once while its unsent output is below half of
   * `maxWriteBufferBytes` (and the subscription is acknowledged), else when the socket drained
   * (or the subscription ended, or the connection closed: `emit` then returns false). A stream
   * larger than the write buffer (a long log tail) awaits this between events instead of being cut off.
   */
  writable(): Promise<void>;
  /**
   * True while the connection's unsent output is above half of `maxWriteBufferBytes`: a live
   * stream that cannot wait (a followed log) can then leave events out and say so, rather than
   * grow the buffer to its limit, where the connection is cut off.
   */
  congested(): boolean;
}

/** A request/response method: `validate` checks the params at the boundary, `handle` answers. */
export interface IpcCallMethod<P = unknown, R = unknown> {
  /** Returns the typed params or throws (→ EIPC_BAD_PARAMS with the thrown message). */
  validate?(params: unknown): P;
  handle(params: P, ctx: IpcContext): R | Promise<R>;
  subscribe?: never;
}

/** A subscription method: after `subscribe`, every `emit(event)` reaches the client in order. */
export interface IpcSubscribeMethod<P = unknown, E = unknown> {
  /** Returns the typed params or throws (→ EIPC_BAD_PARAMS with the thrown message). */
  validate?(params: unknown): P;
  /**
   * Starts the stream. `emit` returns false once the subscription is over, and throws
   * EIPC_BAD_PARAMS / EIPC_FRAME_TOO_LARGE for an event that is not JSON or too large. The function
   * returned is called once, when the client unsubscribes or disconnects or the server closes.
   */
  subscribe(params: P, emit: (event: E) => boolean, ctx: IpcSubscriptionContext): (() => void) | Promise<() => void>;
  handle?: never;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a table holds methods of any param/result types */
export type IpcMethod = IpcCallMethod<any, any> | IpcSubscribeMethod<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A table of methods by name, as given to `createIpcServer({ methods })`. */
export type IpcMethods = Record<string, IpcMethod>;

/**
 * Types a method table end to end: returns it unchanged, with each entry's params, result and
 * event types kept, so that `connectIpc<typeof methods>(path)` checks calls at compile time.
 */
export function defineMethods<const T extends IpcMethods>(methods: T): T {
  return methods;
}

/** One call method with its params type inferred from `validate` (use inside `defineMethods`). */
export function callMethod<P, R>(method: IpcCallMethod<P, R>): IpcCallMethod<P, R> {
  return method;
}

/** One subscription method with its params type inferred from `validate` (use inside `defineMethods`). */
export function subscribeMethod<P, E>(method: IpcSubscribeMethod<P, E>): IpcSubscribeMethod<P, E> {
  return method;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- type-level pattern matching */
/** The params a method takes (the type its `validate` returns). */
export type ParamsOf<M> = M extends { validate(params: unknown): infer P }
  ? P
  : M extends { handle(params: infer P, ...rest: any[]): any }
    ? P
    : M extends { subscribe(params: infer P, ...rest: any[]): any }
      ? P
      : unknown;
/** What a call method resolves to. */
export type ResultOf<M> = M extends { handle(...args: any[]): infer R } ? Awaited<R> : unknown;
/** The events a subscription method emits. */
export type EventOf<M> = M extends { subscribe(params: any, emit: (event: infer E) => any, ...rest: any[]): any } ? E : unknown;
/** Names of the call methods in a table. */
export type CallNames<T> = { [K in keyof T]: T[K] extends { handle(...args: any[]): any } ? K : never }[keyof T] & string;
/** Names of the subscription methods in a table. */
export type SubscriptionNames<T> = { [K in keyof T]: T[K] extends { subscribe(...args: any[]): any } ? K : never }[keyof T] &
  string;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The table a client uses when it is not given one: any method name, unknown params and results. */
export type UntypedMethods = Record<
  string,
  {
    validate(params: unknown): unknown;
    handle(params: unknown): unknown;
    subscribe(params: unknown, emit: (event: unknown) => boolean): unknown;
  }
>;

export type ResolvedMethod = { kind: 'call'; method: IpcCallMethod } | { kind: 'subscribe'; method: IpcSubscribeMethod };

/** Checks a method table at construction and indexes it by own name (never by prototype lookup). */
export function resolveMethods(methods: unknown): Map<string, ResolvedMethod> {
  if (typeof methods !== 'object' || methods === null || Array.isArray(methods)) {
    throw new IpcOptionsError('methods', methods, 'an object mapping method names to { handle } or { subscribe }');
  }
  const table = new Map<string, ResolvedMethod>();
  for (const [name, entry] of Object.entries(methods as Record<string, unknown>)) {
    const option = `methods.${name}`;
    if (name.length === 0 || name.length > MAX_METHOD_CHARS) {
      throw new IpcOptionsError(option, name, `a method name of 1 to ${MAX_METHOD_CHARS} characters`);
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new IpcOptionsError(option, name, `a name not starting with "${RESERVED_PREFIX}" (reserved for the protocol)`);
    }
    if (typeof entry !== 'object' || entry === null) {
      throw new IpcOptionsError(option, entry, 'an object with a handle() or a subscribe() function');
    }
    const { handle, subscribe, validate } = entry as Record<string, unknown>;
    if (validate !== undefined && typeof validate !== 'function') {
      throw new IpcOptionsError(`${option}.validate`, validate, 'a function or undefined');
    }
    const hasHandle = typeof handle === 'function';
    const hasSubscribe = typeof subscribe === 'function';
    if (hasHandle === hasSubscribe) {
      throw new IpcOptionsError(option, entry, 'exactly one of handle() (a call) or subscribe() (a subscription)');
    }
    table.set(
      name,
      hasHandle ? { kind: 'call', method: entry as IpcCallMethod } : { kind: 'subscribe', method: entry as IpcSubscribeMethod },
    );
  }
  return table;
}
