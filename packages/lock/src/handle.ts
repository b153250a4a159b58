import { EventEmitter } from 'node:events';
import { onExit } from 'signal-exit';
import { LockCompromisedError } from './errors.js';
import type { ResolvedLockOptions } from './options.js';
import { releaseLock, touchIfOurs } from './protocol.js';
import type { LockRecord } from './record.js';

export interface LockHandleEvents {
  compromised: [error: LockCompromisedError];
  /** A heartbeat could not be written (I/O error); the lock is still held. */
  heartbeatError: [error: Error];
}

/**
 * A held lock. `release()` is idempotent. When the lock stops being ours (its directory removed
 * or replaced by hand), the handle emits `compromised` and stops its heartbeat: it never throws
 * from a timer.
 */
export class LockHandle extends EventEmitter<LockHandleEvents> {
  readonly name: string;
  /** The lock directory. */
  readonly path: string;
  readonly record: LockRecord;
  #held = true;
  #timer: NodeJS.Timeout | undefined;
  #removeExitHook: (() => void) | undefined;
  #beating = false;
  readonly #options: ResolvedLockOptions;

  constructor(options: ResolvedLockOptions, record: LockRecord) {
    super();
    this.#options = options;
    this.name = options.name;
    this.path = options.lockPath;
    this.record = record;
    if (options.onCompromised) this.on('compromised', options.onCompromised);
    this.#timer = setInterval(() => void this.#beat(), options.heartbeatMs);
    this.#timer.unref();
    if (options.releaseOnExit) {
      // signal-exit runs this on normal exit and on SIGINT/SIGTERM/SIGHUP, and then lets the
      // signal's default behaviour go on (unless the app has its own handler for it).
      this.#removeExitHook = onExit(() => {
        this.releaseSync();
      });
    }
  }

  /** False after release, or once the lock was found not to be ours any more. */
  get isHeld(): boolean {
    return this.#held;
  }

  /** Releases the lock if it is still ours. Safe to call more than once. */
  release(): Promise<void> {
    return Promise.resolve().then(() => this.releaseSync());
  }

  releaseSync(): void {
    if (!this.#held) return;
    this.#stop();
    const outcome = releaseLock(this.#options, this.record.instanceId);
    if (outcome === 'not-ours') this.#compromise('at release it was held by another process; it was left untouched');
  }

  async #beat(): Promise<void> {
    if (!this.#held || this.#beating) return;
    this.#beating = true;
    try {
      const why = await touchIfOurs(this.path, this.record.instanceId);
      if (why !== null && this.#held) {
        this.#stop();
        this.#compromise(why);
      }
    } catch (error) {
      // A failed heartbeat (an I/O error) is not a lost lock: a holder on this host is judged by
      // its PID, not its mtime. It is reported, and the next beat tries again.
      this.emit('heartbeatError', error as Error);
    } finally {
      this.#beating = false;
    }
  }

  #stop(): void {
    this.#held = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#removeExitHook?.();
    this.#removeExitHook = undefined;
  }

  #compromise(why: string): void {
    const error = new LockCompromisedError(this.path, why);
    this.emit('compromised', error);
  }
}
