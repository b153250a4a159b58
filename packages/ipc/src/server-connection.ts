import type { Socket } from 'node:net';
import { outputPressure } from './socket-backpressure.js';
import { IpcError, isIpcError } from './errors.js';
import { decodeFrame, FrameReader } from './frame-reader.js';
import { handlerErrorBody } from './handler-error.js';
import type { IpcContext, ResolvedMethod } from './methods.js';
import { ServerSubscriptions } from './server-subscriptions.js';
import {
  CANCEL_METHOD,
  encodeFrame,
  errorBody,
  isRecord,
  isRequestId,
  parseRequest,
  type RequestId,
  type RpcErrorBody,
  type RpcRequest,
  UNSUBSCRIBE_METHOD,
} from './protocol.js';

/** What a connection needs from its server: limits, methods and a place to report handler failures. */
export interface ConnectionSettings {
  readonly methods: ReadonlyMap<string, ResolvedMethod>;
  readonly maxFrameBytes: number;
  readonly idleTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly maxInFlightPerConnection: number;
  readonly maxWriteBufferBytes: number;
  readonly maxJsonDepth: number;
  readonly onError: ((error: unknown, info: { method: string; connectionId: number }) => void) | undefined;
}

/** How long a closing connection may take to flush its last frame and see the peer end before it is destroyed. */
const FLUSH_GRACE_MS = 2_000;

/**
 * One client connection on the server: reads frames, dispatches them to the method table, writes
 * responses and events, and enforces the per-connection limits. Any protocol violation gets one
 * error frame (id null when the request's id is unknown) and the connection is closed; errors of a
 * well-formed request (unknown method, bad params, handler threw) are answered and it stays open.
 */
export class ServerConnection {
  private readonly reader: FrameReader;
  /** Calls in flight by request id; notifications (no id) are counted in `anonymousCalls`. */
  private readonly calls = new Map<RequestId, AbortController>();
  private readonly anonymousCalls = new Set<AbortController>();
  private readonly subscriptions: ServerSubscriptions;
  private state: 'open' | 'ending' | 'closed' = 'open';
  private readEnded = false;
  private paused = false;
  private pumping = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private frameTimer: NodeJS.Timeout | null = null;
  private markClosed!: () => void;
  /** Resolves once the socket is closed and everything of this connection is cleaned up. */
  readonly closed = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly settings: ConnectionSettings,
    private readonly onClosed: (connection: ServerConnection) => void,
  ) {
    this.reader = new FrameReader(settings.maxFrameBytes);
    this.subscriptions = new ServerSubscriptions({
      connectionId: id,
      maxFrameBytes: settings.maxFrameBytes,
      isOpen: () => this.state === 'open',
      isClosed: () => this.state === 'closed',
      write: (frame) => this.write(frame),
      ...outputPressure(this.socket, this.settings.maxWriteBufferBytes, () => this.state === 'closed'),
      replyError: (requestId, body) => this.replyError(requestId, body),
      onError: (error, method) => this.settings.onError?.(error, { method, connectionId: this.id }),
      changed: () => {
        this.refreshTimers(false);
        this.finishIfDone();
      },
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    // The 'close' that follows does the cleanup; a reset peer is not an error of ours.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
    this.refreshTimers(false);
  }

  /** Tells the client why and closes: for a full server, or the server shutting down. */
  reject(error: IpcError): void {
    this.fail(error, null);
  }

  /** Server shutdown: abort everything and close, flushing what was already written. */
  shutdown(): void {
    this.abortAll();
    this.endSocket();
  }

  private onData(chunk: Buffer): void {
    if (this.state !== 'open') return;
    this.reader.push(chunk);
    this.pump();
  }

  /** Dispatches complete frames until none is left or the in-flight cap is reached. */
  private pump(): void {
    // A call that fails validation finishes synchronously, inside dispatch(), and its cleanup asks
    // for another pump. The loop below re-checks its condition on every turn, so that nested
    // request is dropped: recursing instead would let a client overflow the stack with a long
    // pipeline of bad requests.
    if (this.pumping) return;
    this.pumping = true;
    let completedFrame = false;
    try {
      while (this.state === 'open' && this.inFlight() < this.settings.maxInFlightPerConnection) {
        let frame: Buffer | undefined;
        try {
          frame = this.reader.next();
        } catch (error) {
          this.fail(error as IpcError, null);
          return;
        }
        if (frame === undefined) break;
        completedFrame = true;
        if (frame.length > 0) this.dispatch(frame);
      }
    } finally {
      this.pumping = false;
    }
    if (this.state !== 'open') return;
    // Backpressure: a client that pipelines more calls than the cap is simply not read further.
    const full = this.inFlight() >= this.settings.maxInFlightPerConnection;
    if (full !== this.paused) {
      this.paused = full;
      if (full) this.socket.pause();
      else this.socket.resume();
    }
    this.refreshTimers(completedFrame);
    this.finishIfDone();
  }

  private dispatch(frame: Buffer): void {
    let request: RpcRequest;
    try {
      const parsed = parseRequest(decodeFrame(frame, this.settings.maxJsonDepth));
      if (!parsed.ok) {
        this.fail(new IpcError('EIPC_BAD_FRAME', `@svc/ipc: invalid request: ${parsed.reason}.`), parsed.id);
        return;
      }
      request = parsed.request;
    } catch (error) {
      this.fail(error as IpcError, null);
      return;
    }
    if (request.method === CANCEL_METHOD) return this.cancel(request);
    if (request.method === UNSUBSCRIBE_METHOD) return this.unsubscribe(request);
    if (request.id !== undefined && this.calls.has(request.id)) {
      this.fail(new IpcError('EIPC_BAD_FRAME', `@svc/ipc: request id ${JSON.stringify(request.id)} is already in flight.`), request.id);
      return;
    }
    const entry = this.settings.methods.get(request.method);
    if (entry === undefined) {
      this.replyError(request.id, errorBody('EIPC_UNKNOWN_METHOD', `@svc/ipc: unknown method ${JSON.stringify(request.method)}.`));
      return;
    }
    if (entry.kind === 'call') void this.runCall(request, entry.method);
    // A subscription needs an id to be acknowledged and addressed; a notification for one is ignored.
    else if (request.id !== undefined) void this.runSubscription(request, request.id, entry.method);
  }

  private async runCall(request: RpcRequest, method: Extract<ResolvedMethod, { kind: 'call' }>['method']): Promise<void> {
    const controller = new AbortController();
    if (request.id === undefined) this.anonymousCalls.add(controller);
    else this.calls.set(request.id, controller);
    try {
      const params = this.validate(request, method.validate?.bind(method));
      if (params === INVALID) return;
      const ctx: IpcContext = { method: request.method, connectionId: this.id, signal: controller.signal };
      let result: unknown;
      try {
        result = await method.handle(params, ctx);
      } catch (error) {
        if (!controller.signal.aborted) this.replyError(request.id, handlerErrorBody(error, this.settings.maxFrameBytes));
        this.settings.onError?.(error, { method: request.method, connectionId: this.id });
        return;
      }
      if (!controller.signal.aborted && request.id !== undefined) this.replyResult(request.id, request.method, result);
    } finally {
      if (request.id === undefined) this.anonymousCalls.delete(controller);
      else if (this.calls.get(request.id) === controller) this.calls.delete(request.id);
      this.afterCall();
    }
  }

  private async runSubscription(
    request: RpcRequest,
    id: RequestId,
    method: Extract<ResolvedMethod, { kind: 'subscribe' }>['method'],
  ): Promise<void> {
    const params = this.validate(request, method.validate?.bind(method));
    if (params === INVALID) return;
    await this.subscriptions.start(id, request.method, method, params);
    this.afterCall();
  }

  /** Runs `validate`; on a throw answers EIPC_BAD_PARAMS and returns INVALID. */
  private validate(request: RpcRequest, validate: ((params: unknown) => unknown) | undefined): unknown {
    if (validate === undefined) return request.params;
    try {
      return validate(request.params);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.replyError(request.id, errorBody('EIPC_BAD_PARAMS', `@svc/ipc: invalid params for "${request.method}": ${truncate(message)}`));
      return INVALID;
    }
  }

  private cancel(request: RpcRequest): void {
    if (isRecord(request.params) && isRequestId(request.params.id)) this.calls.get(request.params.id)?.abort();
  }

  private unsubscribe(request: RpcRequest): void {
    const subscriptionId = isRecord(request.params) ? request.params.subscription : undefined;
    if (typeof subscriptionId !== 'string') {
      this.replyError(request.id, errorBody('EIPC_BAD_PARAMS', '@svc/ipc: ipc.unsubscribe needs { "subscription": "<id>" }.'));
      return;
    }
    const found = this.subscriptions.unsubscribe(subscriptionId);
    if (request.id !== undefined) this.replyResult(request.id, UNSUBSCRIBE_METHOD, found);
    this.refreshTimers(false);
  }

  private replyResult(id: RequestId, method: string, result: unknown): void {
    let frame: string;
    try {
      frame = encodeFrame({ jsonrpc: '2.0', id, result: result ?? null }, this.settings.maxFrameBytes, `the result of "${method}"`);
    } catch (error) {
      const code = isIpcError(error) && error.code === 'EIPC_FRAME_TOO_LARGE' ? 'EIPC_FRAME_TOO_LARGE' : 'EIPC_HANDLER';
      this.replyError(id, errorBody(code, (error as Error).message));
      return;
    }
    this.write(frame);
  }

  private replyError(id: RequestId | undefined, body: RpcErrorBody): void {
    if (id === undefined || this.state !== 'open') return;
    this.write(encodeFrame({ jsonrpc: '2.0', id, error: body }, this.settings.maxFrameBytes * 2, 'an error response'));
  }

  /** Sends one error frame and closes the connection. */
  private fail(error: IpcError, id: RequestId | null): void {
    if (this.state !== 'open') return;
    const body = errorBody(error.code, error.message);
    this.write(encodeFrame({ jsonrpc: '2.0', id, error: body }, this.settings.maxFrameBytes * 2, 'an error response'));
    this.abortAll();
    this.endSocket();
  }

  private write(frame: string): void {
    if (this.state === 'closed' || this.socket.destroyed) return;
    this.socket.write(frame);
    // A subscriber that does not read would make us buffer without bound: cut it off instead.
    if (this.socket.writableLength > this.settings.maxWriteBufferBytes) this.socket.destroy();
  }

  private afterCall(): void {
    if (this.state !== 'open') return;
    this.pump();
  }

  private inFlight(): number {
    return this.calls.size + this.anonymousCalls.size;
  }

  /** After the client's FIN: once every queued frame is served and every call answered, close. */
  private finishIfDone(): void {
    if (!this.readEnded || this.state !== 'open' || this.inFlight() > 0) return;
    if (this.reader.partialBytes() > 0) {
      this.fail(new IpcError('EIPC_BAD_FRAME', '@svc/ipc: the connection ended in the middle of a frame (truncated frame).'), null);
      return;
    }
    this.endSocket();
  }

  private onEnd(): void {
    this.readEnded = true;
    // Nobody can unsubscribe any more, and `nc`-style clients expect the stream to stop.
    this.subscriptions.endAll();
    this.finishIfDone();
  }

  /**
   * Idle timer: runs only while nothing is in flight, no subscription is open and no frame is
   * half-read. Frame timer: runs from the first byte of a frame until its newline, and is not
   * refreshed by further bytes of the same frame (one byte a second does not keep it alive).
   */
  private refreshTimers(completedFrame: boolean): void {
    if (this.state !== 'open') return;
    const partial = this.reader.partialBytes() > 0;
    if (partial) {
      if (this.frameTimer === null) {
        this.frameTimer = setTimeout(() => this.onFrameTimeout(), this.settings.frameTimeoutMs);
        this.frameTimer.unref();
      } else if (completedFrame) {
        this.frameTimer.refresh();
      }
    } else if (this.frameTimer !== null) {
      clearTimeout(this.frameTimer);
      this.frameTimer = null;
    }
    const idle = !partial && this.inFlight() === 0 && this.subscriptions.size === 0 && this.settings.idleTimeoutMs > 0;
    if (idle) {
      if (this.idleTimer === null) {
        this.idleTimer = setTimeout(() => this.onIdleTimeout(), this.settings.idleTimeoutMs);
        this.idleTimer.unref();
      } else {
        this.idleTimer.refresh();
      }
    } else if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  private onFrameTimeout(): void {
    this.frameTimer = null;
    this.fail(
      new IpcError(
        'EIPC_TIMEOUT',
        `@svc/ipc: frame not completed within ${this.settings.frameTimeoutMs} ms of its first byte (frameTimeoutMs).`,
      ),
      null,
    );
  }

  private onIdleTimeout(): void {
    this.idleTimer = null;
    this.fail(new IpcError('EIPC_TIMEOUT', `@svc/ipc: connection idle for ${this.settings.idleTimeoutMs} ms (idleTimeoutMs).`), null);
  }

  private abortAll(): void {
    for (const controller of this.calls.values()) controller.abort();
    for (const controller of this.anonymousCalls) controller.abort();
    this.subscriptions.abortAll();
  }

  private endSocket(): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.clearTimers();
    const socket = this.socket;
    // Lingering close: keep reading (and dropping) so the peer's writes neither stall nor fail, and
    // destroy only once our last frame is flushed and the peer has ended too, or after a grace
    // period. Destroying as soon as our FIN is out would make a peer that is still writing get
    // EPIPE, and a peer that meets EPIPE before it has read our error frame never sees the frame.
    socket.resume();
    let flushed = false;
    let peerEnded = this.readEnded;
    const grace = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS);
    grace.unref();
    const closeWhenBoth = () => {
      if (!flushed || !peerEnded) return;
      clearTimeout(grace);
      socket.destroy();
    };
    if (!peerEnded) {
      socket.once('end', () => {
        peerEnded = true;
        closeWhenBoth();
      });
    }
    socket.end(() => {
      flushed = true;
      closeWhenBoth();
    });
  }

  private clearTimers(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    if (this.frameTimer !== null) clearTimeout(this.frameTimer);
    this.idleTimer = null;
    this.frameTimer = null;
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimers();
    this.abortAll();
    this.onClosed(this);
    this.markClosed();
  }
}

const INVALID: unique symbol = Symbol('invalid params');

function truncate(message: string): string {
  return message.length > 1000 ? `${message.slice(0, 1000)}…` : message;
}
