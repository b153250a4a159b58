import { EventEmitter } from 'node:events';
import { LockCompromisedError } from '../errors.js';
import type { LockRecord } from '../record.js';
import { LeaseHolder } from './lease-holder.js';
import type { ResolvedLeaseOptions } from './lease-options.js';
import type { LeaseSession } from './lease-session.js';

export interface LeaseHandleEvents {
  /** The lease stopped being ours while held (not renewed in time, or taken after expiry). Emitted once. */
  compromised: [error: LockCompromisedError];
  /** The same moment as `compromised`, under the name leader-election code usually looks for. */
  lost: [error: LockCompromisedError];
  /** A renewal failed (server unreachable, timed out); the lease is still ours until `remainingMs` runs out. */
  heartbeatError: [error: Error];
  /** A renewal was confirmed; the lease is now ours for `remainingMs`. */
  renewed: [remainingMs: number];
}

/**
 * A lease held on a Redis or PostgreSQL server: the file lock's handle interface (`record`,
 * `isHeld`, idempotent `release()`, `compromised`) plus the `fencingToken` and the time left.
 *
 * Check `isHeld` (or `remainingMs`) right before each action that needs the lease, and send
 * `fencingToken` with every write to the resource it protects, which must refuse a token lower than
 * one it has seen: only that makes a holder paused past its lease harmless.
 */
export class LeaseHandle extends EventEmitter<LeaseHandleEvents> {
  readonly name: string;
  readonly backend: 'redis' | 'postgres';
  /** Where the lease lives: the server and its key or table row. */
  readonly location: string;
  readonly record: LockRecord;
  /**
   * Strictly larger for every new holder of this lock name. A bigint: tokens may exceed 2^53
   * (Redis tokens are microsecond-based, see docs), and bigints compare correctly where decimal
   * strings would not ("10" < "9"). Send it as `String(token)`; parse it back with `BigInt(text)`.
   */
  readonly fencingToken: bigint;
  readonly #holder: LeaseHolder;
  readonly #session: LeaseSession;
  readonly #options: ResolvedLeaseOptions;
  #releasing: Promise<void> | undefined;

  /** `grantSentAt`: when the acquire command that succeeded was sent (performance.now()). */
  constructor(options: ResolvedLeaseOptions, session: LeaseSession, record: LockRecord, fencingToken: bigint, grantSentAt: number) {
    super();
    this.name = options.name;
    this.backend = session.backend;
    this.location = session.location;
    this.record = record;
    this.fencingToken = fencingToken;
    this.#session = session;
    this.#options = options;
    if (options.onCompromised) this.on('compromised', options.onCompromised);
    this.#holder = new LeaseHolder(
      options,
      {
        renew: (timeoutMs) => session.renew(fencingToken, options.ttlMs, timeoutMs),
        renewed: (remainingMs) => this.emit('renewed', remainingMs),
        renewError: (error) => this.emit('heartbeatError', error),
        lost: (why, cause) => this.#lost(why, cause),
      },
      grantSentAt,
    );
  }

  /** True while the lease is ours on the monotonic clock: false after release, loss, or its deadline. */
  get isHeld(): boolean {
    return this.#holder.isHeld;
  }

  /** How long the lease stays ours if no renewal is confirmed meanwhile; 0 when not held. */
  get remainingMs(): number {
    return this.#holder.remainingMs;
  }

  /**
   * Ends the lease on the server (only if it is still ours under this token) and closes the
   * connection. Safe to call more than once: later calls return the first call's promise. Rejects
   * with EBACKEND when the server cannot be reached; the lease is then given up locally anyway and
   * expires on the server within `ttlMs`.
   */
  release(): Promise<void> {
    this.#releasing ??= this.#release();
    return this.#releasing;
  }

  async #release(): Promise<void> {
    const wasHeld = this.#holder.isHeld;
    this.#holder.stop();
    try {
      const ours = await this.#session.release(this.fencingToken, this.#options.commandTimeoutMs);
      if (!ours && wasHeld) {
        this.#emitLost('at release the server no longer had the lease under this fencing token (a server restart or failover lost it?)');
      }
    } finally {
      await this.#session.close();
    }
  }

  #lost(why: string, cause?: unknown): void {
    this.#emitLost(why, cause);
    // Give the lease back at once in case the server still has it (a late renewal landed, or we
    // were only cut off for a while): conditional on the token, so it never touches a successor.
    this.#releasing ??= this.#session
      .release(this.fencingToken, this.#options.commandTimeoutMs)
      .then(
        () => undefined,
        // The server is unreachable: the lease expires there on its own within ttlMs.
        () => undefined,
      )
      .finally(() => this.#session.close());
  }

  #emitLost(why: string, cause?: unknown): void {
    const error = new LockCompromisedError(this.location, why, cause === undefined ? undefined : { cause });
    this.emit('compromised', error);
    this.emit('lost', error);
  }
}
