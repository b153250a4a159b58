import net from 'node:net';
import { IpcError, IpcOptionsError, IpcPathError, IpcRemoteError, IpcTimeoutError } from './errors.js';
import { decodeFrame, FrameReader } from './frame-reader.js';
import { resolveIpcPath } from './ipc-path.js';
import type { CallNames, EventOf, ParamsOf, ResultOf, SubscriptionNames, UntypedMethods } from './methods.js';
import { CLIENT_DEFAULTS, positiveInteger, timeoutOption } from './options.js';
import { CANCEL_METHOD, END_METHOD, encodeFrame, EVENT_METHOD, isRecord, UNSUBSCRIBE_METHOD } from './protocol.js';

export interface IpcClientOptions {
  /** Connect timeout, and the default per-call timeout. Infinity: none. */
  timeoutMs?: number;
  maxFrameBytes?: number;
  maxJsonDepth?: number;
}

export interface IpcCallOptions {
  /** This call's timeout (default: the client's `timeoutMs`). Infinity: none. */
  timeoutMs?: number;
}

export interface IpcSubscribeOptions<E = unknown> extends IpcCallOptions {
  /**
   * Called once when the subscription ends other than by `close()`: the server ended it (`error`
   * is its error, if any), the connection closed (EIPC_CLOSED), or `onEvent` threw (that error).
   */
  onEnd?: (error: IpcError<string> | undefined) => void;
  /** Only for typing: the event type. */
  readonly eventType?: E;
}

export interface IpcSubscription {
  /** The server-assigned subscription id. */
  readonly id: string;
  /** Unsubscribes; resolves once the server has dropped it (or the connection is gone). */
  close(): Promise<void>;
}

export interface IpcClient<T = UntypedMethods> {
  /** The address connected to. */
  readonly path: string;
  /** Resolves (never rejects) with the reason once the connection is closed, by either side. */
  readonly closed: Promise<IpcError<string>>;
  call<K extends CallNames<T>>(method: K, params?: ParamsOf<T[K]>, options?: IpcCallOptions): Promise<ResultOf<T[K]>>;
  subscribe<K extends SubscriptionNames<T>>(
    method: K,
    params: ParamsOf<T[K]>,
    onEvent: (event: EventOf<T[K]>) => void,
    options?: IpcSubscribeOptions<EventOf<T[K]>>,
  ): Promise<IpcSubscription>;
  /**
   * Stops reading from the connection until `resume()`: what the server sends waits in its buffers,
   * so a server that watches its output (`ctx.congested()`) sees a slow reader. For a consumer that
   * cannot keep up (a stdout pipe nobody reads). Answers wait too; call timeouts keep running.
   */
  pause(): void;
  /** Reads again after `pause()`. */
  resume(): void;
  /** Closes the connection; calls in flight reject with EIPC_CLOSED. Idempotent. */
  close(): Promise<void>;
}

interface ResolvedClientOptions {
  readonly timeoutMs: number;
  readonly maxFrameBytes: number;
  readonly maxJsonDepth: number;
}

interface PendingCall {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: IpcError<string>) => void;
  readonly timer: NodeJS.Timeout | null;
}

interface ClientSubscription {
  readonly onEvent: (event: unknown) => void;
  readonly onEnd: ((error: IpcError<string> | undefined) => void) | undefined;
}

/**
 * Connects to an @svc/ipc server. Rejects with EIPC_NOT_RUNNING when nothing listens at `path`,
 * EIPC_ACCESS_DENIED when the socket is not ours to use, EIPC_TIMEOUT when the connect hangs, and
 * EIPC_PATH_TOO_LONG when the path cannot be a socket address on this platform.
 */
export async function connectIpc<T = UntypedMethods>(ipcPath: string, options: IpcClientOptions = {}): Promise<IpcClient<T>> {
  const resolved: ResolvedClientOptions = {
    timeoutMs: timeoutOption('timeoutMs', options.timeoutMs, CLIENT_DEFAULTS.timeoutMs),
    maxFrameBytes: positiveInteger('maxFrameBytes', options.maxFrameBytes, CLIENT_DEFAULTS.maxFrameBytes),
    maxJsonDepth: positiveInteger('maxJsonDepth', options.maxJsonDepth, CLIENT_DEFAULTS.maxJsonDepth),
  };
  const address = resolveIpcPath(ipcPath);
  const socket = await openSocket(address, resolved.timeoutMs);
  return new Client(address, socket, resolved) as unknown as IpcClient<T>;
}

function openSocket(address: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: address });
    const timer =
      timeoutMs === Number.POSITIVE_INFINITY
        ? null
        : setTimeout(() => {
            socket.destroy();
            reject(new IpcTimeoutError(`@svc/ipc: connecting to ${address} took longer than ${timeoutMs} ms.`, timeoutMs, null));
          }, timeoutMs);
    socket.once('connect', () => {
      if (timer !== null) clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException) => {
      if (timer !== null) clearTimeout(timer);
      reject(connectError(error, address));
    };
    socket.once('error', onError);
  });
}

function connectError(error: NodeJS.ErrnoException, address: string): IpcError<string> {
  switch (error.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new IpcPathError(
        'EIPC_NOT_RUNNING',
        address,
        `@svc/ipc: no server is listening at ${address} (${error.code}). Is it running?`,
        { cause: error },
      );
    case 'EACCES':
    case 'EPERM':
      return new IpcPathError(
        'EIPC_ACCESS_DENIED',
        address,
        `@svc/ipc: no permission to connect to ${address} (${error.code}); the server runs as another user.`,
        { cause: error },
      );
    default:
      return new IpcPathError('EIPC_NOT_RUNNING', address, `@svc/ipc: cannot connect to ${address}: ${error.message}`, {
        cause: error,
      });
  }
}

class Client {
  readonly closed: Promise<IpcError<string>>;
  private readonly reader: FrameReader;
  private readonly pending = new Map<number, PendingCall>();
  private readonly subscriptions = new Map<string, ClientSubscription>();
  private nextId = 0;
  private closeReason: IpcError<string> | null = null;
  /** The last error the server sent with id null (EIPC_BUSY, EIPC_TIMEOUT…), reported on close. */
  private serverReason: IpcRemoteError | null = null;
  private markClosed!: (reason: IpcError<string>) => void;

  constructor(
    readonly path: string,
    private readonly socket: net.Socket,
    private readonly options: ResolvedClientOptions,
  ) {
    this.reader = new FrameReader(options.maxFrameBytes);
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // 'close' follows and settles everything; the error's code is kept as the close cause.
    socket.on('error', (error) => this.onSocketGone(error));
    socket.on('close', () => this.onSocketGone(null));
  }

  call(method: string, params?: unknown, options: IpcCallOptions = {}): Promise<unknown> {
    return this.request(method, params, options, null);
  }

  async subscribe(
    method: string,
    params: unknown,
    onEvent: (event: unknown) => void,
    options: IpcSubscribeOptions = {},
  ): Promise<IpcSubscription> {
    if (typeof onEvent !== 'function') throw new IpcOptionsError('onEvent', onEvent, 'a function');
    if (options.onEnd !== undefined && typeof options.onEnd !== 'function') {
      throw new IpcOptionsError('onEnd', options.onEnd, 'a function or undefined');
    }
    // The subscription is registered as the response is read, before the next frame (its first
    // events may share the same read), so no event can arrive before its listener.
    const id = (await this.request(method, params, options, (result) => {
      if (!isRecord(result) || typeof result.subscription !== 'string') return undefined;
      this.subscriptions.set(result.subscription, { onEvent, onEnd: options.onEnd });
      return result.subscription;
    })) as string;
    return {
      id,
      close: async () => {
        if (!this.subscriptions.delete(id) || this.closeReason !== null) return;
        try {
          await this.request(UNSUBSCRIBE_METHOD, { subscription: id }, {}, null);
        } catch (error) {
          // The connection went away meanwhile: the server dropped the subscription with it.
          if ((error as IpcError).code !== 'EIPC_CLOSED' && this.closeReason === null) throw error;
        }
      },
    };
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): Promise<void> {
    if (this.closeReason === null) {
      this.settle(new IpcError('EIPC_CLOSED', `@svc/ipc: the client closed the connection to ${this.path}.`));
      this.socket.end();
      const grace = setTimeout(() => this.socket.destroy(), 1_000);
      grace.unref();
      this.socket.once('close', () => clearTimeout(grace));
    }
    return this.closed.then(() => undefined);
  }

  /**
   * Sends one request. `onResult` (subscriptions) maps the result synchronously as it is read;
   * returning undefined means the server's answer is malformed.
   */
  private async request(
    method: string,
    params: unknown,
    options: IpcCallOptions,
    onResult: ((result: unknown) => unknown) | null,
  ): Promise<unknown> {
    // Everything up to the write runs synchronously within the caller's call (async functions run
    // until their first await), so requests are written in the order they were made.
    if (this.closeReason !== null) throw this.closeReason;
    if (typeof method !== 'string' || method.length === 0) throw new IpcOptionsError('method', method, 'a non-empty string');
    const timeoutMs = timeoutOption('timeoutMs', options.timeoutMs, this.options.timeoutMs);
    const id = ++this.nextId;
    const frame = encodeFrame({ jsonrpc: '2.0', id, method, params }, this.options.maxFrameBytes, `the params of "${method}"`);
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === Number.POSITIVE_INFINITY
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              this.send({ jsonrpc: '2.0', method: CANCEL_METHOD, params: { id } });
              reject(new IpcTimeoutError(`@svc/ipc: "${method}" got no answer within ${timeoutMs} ms.`, timeoutMs, method));
            }, timeoutMs);
      const settleResult =
        onResult === null
          ? resolve
          : (result: unknown) => {
              const mapped = onResult(result);
              if (mapped === undefined) reject(new IpcError('EIPC_BAD_FRAME', `@svc/ipc: malformed answer to "${method}".`));
              else resolve(mapped);
            };
      this.pending.set(id, { method, resolve: settleResult, reject, timer });
      this.socket.write(frame);
    });
  }

  private send(message: object): void {
    if (this.closeReason !== null) return;
    try {
      this.socket.write(encodeFrame(message, this.options.maxFrameBytes, 'a control message'));
    } catch (error) {
      // Control messages are ours and small; failing to encode one is a bug worth surfacing.
      this.settle(error as IpcError);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closeReason !== null) return;
    this.reader.push(chunk);
    for (;;) {
      let message: unknown;
      try {
        const frame = this.reader.next();
        if (frame === undefined) return;
        if (frame.length === 0) continue;
        message = decodeFrame(frame, this.options.maxJsonDepth);
      } catch (error) {
        this.abort(error as IpcError);
        return;
      }
      this.onMessage(message);
      if (this.closeReason !== null) return;
    }
  }

  private onMessage(message: unknown): void {
    if (!isRecord(message) || message.jsonrpc !== '2.0') {
      this.abort(new IpcError('EIPC_BAD_FRAME', '@svc/ipc: the server sent something that is not a JSON-RPC 2.0 message.'));
      return;
    }
    if (typeof message.method === 'string') {
      this.onNotification(message.method, message.params);
      return;
    }
    const id = message.id;
    const error = isRecord(message.error) ? remoteError(message.error, null) : null;
    if (id === null) {
      // A connection-level error (busy, idle timeout, our frame was bad); the close follows.
      if (error !== null) this.serverReason = error;
      return;
    }
    if (typeof id !== 'number') return;
    const call = this.pending.get(id);
    // Not pending: an answer to a call that already timed out. Its caller has its error.
    if (call === undefined) return;
    this.pending.delete(id);
    if (call.timer !== null) clearTimeout(call.timer);
    if (error !== null) {
      call.reject(remoteError(message.error as Record<string, unknown>, call.method));
    } else if (Object.hasOwn(message, 'result')) {
      call.resolve(message.result);
    } else {
      call.reject(new IpcError('EIPC_BAD_FRAME', `@svc/ipc: the answer to "${call.method}" has neither result nor error.`));
    }
  }

  private onNotification(method: string, params: unknown): void {
    if (!isRecord(params) || typeof params.subscription !== 'string') return;
    const sub = this.subscriptions.get(params.subscription);
    if (sub === undefined) return;
    if (method === EVENT_METHOD) {
      try {
        sub.onEvent(params.event);
      } catch (error) {
        this.subscriptions.delete(params.subscription);
        this.send({ jsonrpc: '2.0', id: ++this.nextId, method: UNSUBSCRIBE_METHOD, params: { subscription: params.subscription } });
        if (sub.onEnd === undefined) throw error;
        sub.onEnd(
          new IpcError('EIPC_HANDLER', `@svc/ipc: onEvent threw: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        );
      }
    } else if (method === END_METHOD) {
      this.subscriptions.delete(params.subscription);
      sub.onEnd?.(isRecord(params.error) ? remoteError(params.error, null) : undefined);
    }
  }

  /** A protocol failure on our side of the wire: stop reading, report it, drop the connection. */
  private abort(reason: IpcError<string>): void {
    this.settle(reason);
    this.socket.destroy();
  }

  private onSocketGone(error: Error | null): void {
    if (this.closeReason !== null) return;
    const reason =
      this.serverReason ??
      new IpcError(
        'EIPC_CLOSED',
        `@svc/ipc: the connection to ${this.path} closed${error ? ` (${(error as NodeJS.ErrnoException).code ?? error.message})` : ''}; ` +
          'the server stopped, crashed or dropped this client.',
        error ? { cause: error } : undefined,
      );
    this.settle(reason);
    this.socket.destroy();
  }

  /** Closes the books once: every pending call rejects, every subscription ends, `closed` resolves. */
  private settle(reason: IpcError<string>): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    for (const call of this.pending.values()) {
      if (call.timer !== null) clearTimeout(call.timer);
      call.reject(reason);
    }
    this.pending.clear();
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const sub of subscriptions) sub.onEnd?.(reason);
    this.markClosed(reason);
  }
}

function remoteError(body: Record<string, unknown>, method: string | null): IpcRemoteError {
  const data = isRecord(body.data) ? body.data : {};
  const code = typeof data.code === 'string' && data.code.length > 0 ? data.code : 'EIPC_HANDLER';
  const message = typeof body.message === 'string' ? body.message : `remote error ${code}`;
  return new IpcRemoteError(code, message, {
    rpcCode: typeof body.code === 'number' ? body.code : 0,
    method,
    data: data.details,
  });
}
