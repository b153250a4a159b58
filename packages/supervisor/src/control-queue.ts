import { ClosedError } from './errors.js';

interface Operation {
  kind: string;
  promise: Promise<unknown>;
}

/**
 * Serialises control calls (start, stop, restart, reload, scale) of a Supervisor or a Service.
 * A call identical to the one already waiting in the queue shares its answer, so 20 restarts at
 * once cost one or two restarts and every caller gets a result; a `start` asked for while a start
 * runs (and nothing waits behind it) shares that start's outcome. The queue only orders the
 * operations: each caller gets its own operation's result or error.
 */
export class ControlQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending: Operation | null = null;
  #current: Operation | null = null;
  #running = 0;

  constructor(
    private readonly what: string,
    private readonly hooks: { isClosed: () => boolean; afterEach?: () => void } = { isClosed: () => false },
  ) {}

  /** True while an operation runs. */
  get busy(): boolean {
    return this.#running > 0;
  }

  run<T>(kind: string, operation: () => Promise<T>): Promise<T> {
    if (this.hooks.isClosed()) return Promise.reject(new ClosedError(this.what));
    if (this.#pending?.kind === kind) return this.#pending.promise as Promise<T>;
    if (kind === 'start' && this.#pending === null && this.#current?.kind === 'start') return this.#current.promise as Promise<T>;
    const op: Operation = { kind, promise: Promise.resolve() };
    const promise = this.#tail.then(async () => {
      if (this.#pending === op) this.#pending = null;
      this.#current = op;
      this.#running++;
      try {
        return await operation();
      } finally {
        this.#running--;
        if (this.#current === op) this.#current = null;
        this.hooks.afterEach?.();
      }
    });
    op.promise = promise;
    this.#pending = op;
    // Only the order is chained: a failed operation does not fail the ones queued after it.
    this.#tail = promise.catch(() => undefined);
    return promise;
  }
}
