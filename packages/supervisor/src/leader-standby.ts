import { hostname } from 'node:os';
import type { SupervisorEventType } from './events.js';
import { waitForLease, type LeaderLease } from './leader-lease.js';
import type { ResolvedSupervisorOptions } from './options.js';

type Lock = NonNullable<ResolvedSupervisorOptions['lock']>;

export interface LeaseHooks {
  record(type: SupervisorEventType, fields: Record<string, unknown>): void;
  /** A lease was won: true when the supervisor still wants to run under it (else it is given back). */
  wanted(): boolean;
  /** The lease is held now: spawn under it. */
  won(lease: LeaderLease): void;
  /** The lease held stopped being ours (already forgotten here): kill what runs under it. */
  lost(): void;
  /** Waiting for the lease cannot succeed (a missing client package, refused options). */
  failed(reason: string): void;
}

/**
 * The distributed lease of a supervisor with `lock`: waits for it in the background (standby),
 * holds it while the service runs, reports its loss, and gives it back once the service has
 * stopped, so the next leader starts right after this one and never beside it.
 */
export class LeaderStandby {
  #lease: LeaderLease | null = null;
  #seeking: AbortController | null = null;

  constructor(
    private readonly lock: Lock,
    private readonly service: string,
    private readonly hooks: LeaseHooks,
  ) {}

  /** The lease held now, if it still is. */
  get held(): LeaderLease | null {
    return this.#lease?.isHeld ? this.#lease : null;
  }

  get fencingToken(): bigint | null {
    return this.#lease?.fencingToken ?? null;
  }

  /** Whether a lease object is kept (it may have just expired: see `held`). */
  get hasLease(): boolean {
    return this.#lease !== null;
  }

  /** Forgets a lease that ran out before it could be used (it is not given back: it is gone). */
  forget(): void {
    this.#lease = null;
  }

  /** Starts waiting for the lease, unless a wait is under way. */
  seek(): void {
    if (this.#seeking) return;
    const abort = new AbortController();
    this.#seeking = abort;
    const metadata = { service: this.service, host: hostname(), pid: process.pid };
    waitForLease(this.lock, abort.signal, metadata).then(
      (lease) => {
        if (this.#seeking === abort) this.#seeking = null;
        if (abort.signal.aborted || !this.hooks.wanted()) {
          void this.#giveBack(lease);
          return;
        }
        this.#lease = lease;
        lease.once('lost', (error) => this.#onLost(lease, error));
        this.hooks.record('lease-acquired', { fencingToken: String(lease.fencingToken), location: lease.location });
        this.hooks.won(lease);
      },
      (error: unknown) => {
        if (this.#seeking === abort) this.#seeking = null;
        // Aborted by a stop or a close: standby ended on request, nothing failed.
        if (abort.signal.aborted) return;
        this.hooks.failed(`cannot wait for the ${this.lock.backend} lease ${this.lock.key}: ${(error as Error).message}`);
      },
    );
  }

  /** Ends a wait for the lease, if one is under way. */
  cancel(): void {
    this.#seeking?.abort();
    this.#seeking = null;
  }

  /** Ends a wait and gives back the lease held (call once the service has stopped). */
  async drop(): Promise<void> {
    this.cancel();
    const lease = this.#lease;
    this.#lease = null;
    if (lease) await this.#giveBack(lease);
  }

  /**
   * The lease stopped being ours: the holder says so `marginMs` before the server could hand it
   * to anyone else, so what runs under it must die at once.
   */
  #onLost(lease: LeaderLease, error: Error): void {
    if (this.#lease !== lease) return;
    this.#lease = null;
    this.hooks.record('lease-lost', { fencingToken: String(lease.fencingToken), error: error.message });
    this.hooks.lost();
  }

  async #giveBack(lease: LeaderLease): Promise<void> {
    try {
      await lease.release();
      this.hooks.record('lease-released', { fencingToken: String(lease.fencingToken) });
    } catch (error) {
      // The server is unreachable: the lease expires there within lock.ttl, and the service is
      // already stopped, so nothing acts under it meanwhile.
      this.hooks.record('lease-error', { fencingToken: String(lease.fencingToken), error: (error as Error).message });
    }
  }
}
