import { handlerErrorBody } from './handler-error.js';
import type { IpcSubscribeMethod, IpcSubscriptionContext } from './methods.js';
import { END_METHOD, encodeFrame, EVENT_METHOD, type RequestId, type RpcErrorBody } from './protocol.js';

interface ActiveSubscription {
  readonly id: string;
  readonly method: string;
  readonly controller: AbortController;
  /** Events emitted before the subscribe response was written wait here, so they follow it. */
  queued: string[] | null;
  dispose: (() => void) | null;
  ended: boolean;
  /** Set when the server side ended the subscription before it was acknowledged. */
  endAfterAck: { error: unknown } | null;
}

/** What the subscriptions of a connection need from it. */
export interface SubscriptionHost {
  readonly connectionId: number;
  readonly maxFrameBytes: number;
  isOpen(): boolean;
  isClosed(): boolean;
  write(frame: string): void;
  /** Resolves once the connection's unsent output is below half its limit (or it closed). */
  writable(): Promise<void>;
  /** The connection's unsent output is above half its limit. */
  congested(): boolean;
  replyError(id: RequestId, body: RpcErrorBody): void;
  onError(error: unknown, method: string): void;
  /** Something ended: the connection re-arms its timers and may finish. */
  changed(): void;
}

/**
 * The subscriptions of one server connection: starts each (its events queued until the subscribe
 * response is written, so the client sees the acknowledgement first), ends each exactly once —
 * dropping it, aborting its signal, calling its dispose function and, when the server side ended
 * it, telling the client with an ipc.end notification.
 */
export class ServerSubscriptions {
  readonly #active = new Map<string, ActiveSubscription>();
  #next = 0;

  constructor(private readonly host: SubscriptionHost) {}

  get size(): number {
    return this.#active.size;
  }

  /** Starts a subscription whose params are valid; resolves once it is acknowledged, or refused. */
  async start(id: RequestId, method: string, subscribeMethod: IpcSubscribeMethod, params: unknown): Promise<void> {
    const host = this.host;
    const sub: ActiveSubscription = { id: String(++this.#next), method, controller: new AbortController(), queued: [], dispose: null, ended: false, endAfterAck: null };
    this.#active.set(sub.id, sub);
    const emit = (event: unknown): boolean => {
      if (sub.ended || host.isClosed()) return false;
      const frame = encodeFrame({ jsonrpc: '2.0', method: EVENT_METHOD, params: { subscription: sub.id, event } }, host.maxFrameBytes, `an event of subscription "${sub.method}"`);
      if (sub.queued !== null) sub.queued.push(frame);
      else host.write(frame);
      return true;
    };
    const ctx: IpcSubscriptionContext = {
      method,
      connectionId: host.connectionId,
      signal: sub.controller.signal,
      end: (error?: unknown) => this.end(sub, { notify: true, error }),
      writable: async () => {
        // Events emitted before the acknowledgement are held in memory until it is written.
        while (sub.queued !== null && !sub.ended && !host.isClosed()) await new Promise((resolve) => setImmediate(resolve));
        if (!sub.ended) await host.writable();
      },
      congested: () => host.congested(),
    };
    let dispose: unknown;
    try {
      dispose = await subscribeMethod.subscribe(params, emit, ctx);
    } catch (error) {
      this.#active.delete(sub.id);
      sub.ended = true;
      if (host.isOpen()) host.replyError(id, handlerErrorBody(error, host.maxFrameBytes));
      host.onError(error, method);
      return;
    }
    sub.dispose = typeof dispose === 'function' ? (dispose as () => void) : null;
    if (sub.ended) {
      // Unsubscribed, disconnected or closed while subscribe() was still running: undo it now.
      this.#dispose(sub);
      return;
    }
    host.write(encodeFrame({ jsonrpc: '2.0', id, result: { subscription: sub.id } }, host.maxFrameBytes, 'a response'));
    const queued = sub.queued ?? [];
    sub.queued = null;
    for (const frame of queued) host.write(frame);
    if (sub.endAfterAck !== null) this.end(sub, { notify: true, error: sub.endAfterAck.error });
  }

  /** The client unsubscribed: true when it was there (and is ended now). */
  unsubscribe(subscriptionId: string): boolean {
    const sub = this.#active.get(subscriptionId);
    if (sub !== undefined) this.end(sub, { notify: false });
    return sub !== undefined;
  }

  /** Ends every subscription quietly (the client can no longer unsubscribe). */
  endAll(): void {
    for (const sub of [...this.#active.values()]) this.end(sub, { notify: false });
  }

  /** The connection is going away: every subscription is dropped and disposed, nothing is sent. */
  abortAll(): void {
    for (const sub of [...this.#active.values()]) {
      sub.ended = true;
      this.#active.delete(sub.id);
      sub.controller.abort();
      this.#dispose(sub);
    }
  }

  private end(sub: ActiveSubscription, how: { notify: boolean; error?: unknown }): void {
    if (sub.ended) return;
    if (sub.queued !== null && how.notify) {
      // Not acknowledged yet: end right after the acknowledgement, so the client sees both in order.
      sub.endAfterAck = { error: how.error };
      return;
    }
    sub.ended = true;
    this.#active.delete(sub.id);
    sub.controller.abort();
    if (how.notify && this.host.isOpen()) {
      const params: Record<string, unknown> = { subscription: sub.id };
      if (how.error !== undefined) params.error = handlerErrorBody(how.error, this.host.maxFrameBytes);
      this.host.write(encodeFrame({ jsonrpc: '2.0', method: END_METHOD, params }, this.host.maxFrameBytes, 'an end notification'));
    }
    this.#dispose(sub);
    this.host.changed();
  }

  #dispose(sub: ActiveSubscription): void {
    const dispose = sub.dispose;
    sub.dispose = null;
    if (dispose === null) return;
    try {
      const returned: unknown = dispose();
      if (returned instanceof Promise) returned.catch((error: unknown) => this.host.onError(error, sub.method));
    } catch (error) {
      this.host.onError(error, sub.method);
    }
  }
}
