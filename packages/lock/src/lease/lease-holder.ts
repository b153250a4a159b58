/*
 * The holder's side of a lease, the same for every backend.
 *
 * The server expires a lease `ttlMs` after it *received* the command that granted or renewed it,
 * which is after the holder *sent* that command. So on the holder's monotonic clock the lease is
 * safe until `sentAt + ttlMs`, whatever the network delay; the holder counts it as its own only
 * until `sentAt + ttlMs - marginMs` (the margin covers clock-rate differences and the time between
 * checking `isHeld` and acting). Renewals go out every `renewMs`; each confirmed one moves the
 * deadline to its own `sentAt + ttlMs - marginMs`. When the deadline passes unconfirmed — a
 * partition, a dead server, a paused process — the lease is lost, and the holder says so before
 * the server could give it to anyone else.
 *
 * `isHeld` reads the clock itself, so a process that was paused (SIGSTOP, GC, a VM migration) sees
 * `false` on its first look after resuming, before any timer has had a chance to run.
 *
 * The monotonic clock (performance.now, CLOCK_MONOTONIC on Linux) does not advance while the
 * whole machine is suspended; a laptop that sleeps with a lease held must treat the lease as lost
 * on wake (listen for `lost`, which the server's answer to the next renewal triggers).
 */

export interface LeaseTiming {
  ttlMs: number;
  renewMs: number;
  marginMs: number;
  commandTimeoutMs: number;
}

export interface LeaseHolderHooks {
  /** One renewal: true when the server still had the lease and extended it. */
  renew(timeoutMs: number): Promise<boolean>;
  renewed(remainingMs: number): void;
  /** A renewal failed but the lease still has time: the next one will try again. */
  renewError(error: Error): void;
  lost(why: string, cause?: unknown): void;
}

export type LeaseState = 'held' | 'lost' | 'released';

export class LeaseHolder {
  #state: LeaseState = 'held';
  /** Monotonic ms until which the lease is ours. */
  #deadline: number;
  #renewTimer: NodeJS.Timeout | undefined;
  #lostTimer: NodeJS.Timeout | undefined;
  #lastSentAt: number;
  readonly #timing: LeaseTiming;
  readonly #hooks: LeaseHolderHooks;
  readonly #now: () => number;

  /** `grantSentAt`: when the command that granted the lease was sent, on `now`'s clock. */
  constructor(timing: LeaseTiming, hooks: LeaseHolderHooks, grantSentAt: number, now: () => number = () => performance.now()) {
    this.#timing = timing;
    this.#hooks = hooks;
    this.#now = now;
    this.#lastSentAt = grantSentAt;
    this.#deadline = grantSentAt + timing.ttlMs - timing.marginMs;
    this.#armLostTimer();
    this.#scheduleRenewal(grantSentAt + timing.renewMs - now());
  }

  get state(): LeaseState {
    return this.#state;
  }

  get isHeld(): boolean {
    if (this.#state !== 'held') return false;
    if (this.#now() < this.#deadline) return true;
    // Past the deadline, though no timer has run yet (the process was paused or the loop blocked):
    // report it as soon as the current task ends.
    queueMicrotask(() => this.#checkDeadline());
    return false;
  }

  /** Time left before the lease counts as lost, if no renewal is confirmed meanwhile. */
  get remainingMs(): number {
    return this.isHeld ? Math.max(0, this.#deadline - this.#now()) : 0;
  }

  /** Stops renewing: the lease is being released. */
  stop(): void {
    if (this.#state !== 'held') return;
    this.#state = 'released';
    this.#clearTimers();
  }

  #scheduleRenewal(delayMs: number): void {
    clearTimeout(this.#renewTimer);
    this.#renewTimer = setTimeout(() => void this.#renew(), Math.max(0, delayMs));
    this.#renewTimer.unref();
  }

  #armLostTimer(): void {
    clearTimeout(this.#lostTimer);
    this.#lostTimer = setTimeout(() => this.#checkDeadline(), Math.max(0, this.#deadline - this.#now()));
    this.#lostTimer.unref();
  }

  #checkDeadline(): void {
    if (this.#state !== 'held') return;
    const now = this.#now();
    if (now < this.#deadline) return this.#armLostTimer();
    const since = Math.round(now - this.#lastSentAt);
    this.#lose(`no renewal was confirmed within ${this.#timing.ttlMs - this.#timing.marginMs} ms of the last confirmed one (${since} ms ago); the server may expire the lease ${this.#timing.marginMs} ms from now`);
  }

  async #renew(): Promise<void> {
    if (this.#state !== 'held') return;
    const sentAt = this.#now();
    if (sentAt >= this.#deadline) return this.#checkDeadline();
    let stillOurs: boolean;
    try {
      stillOurs = await this.#hooks.renew(Math.min(this.#timing.commandTimeoutMs, this.#deadline - sentAt));
    } catch (error) {
      if (this.#state !== 'held') return;
      this.#hooks.renewError(error as Error);
      // Try again soon, but more than once before the deadline if there is time for it.
      this.#scheduleRenewal(Math.max(10, Math.min(this.#timing.renewMs, (this.#deadline - this.#now()) / 2)));
      return;
    }
    if (this.#state !== 'held') return;
    if (!stillOurs) {
      this.#lose('the server no longer has the lease under this fencing token: it expired there or was taken by another holder');
      return;
    }
    const deadline = sentAt + this.#timing.ttlMs - this.#timing.marginMs;
    const now = this.#now();
    if (deadline <= now) {
      this.#lose(`a renewal was confirmed only ${Math.round(now - sentAt)} ms after it was sent, too late to count`);
      return;
    }
    if (deadline > this.#deadline) {
      this.#deadline = deadline;
      this.#lastSentAt = sentAt;
      this.#armLostTimer();
    }
    this.#hooks.renewed(this.#deadline - now);
    this.#scheduleRenewal(sentAt + this.#timing.renewMs - now);
  }

  #lose(why: string, cause?: unknown): void {
    if (this.#state !== 'held') return;
    this.#state = 'lost';
    this.#clearTimers();
    this.#hooks.lost(why, cause);
  }

  #clearTimers(): void {
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#lostTimer);
    this.#renewTimer = undefined;
    this.#lostTimer = undefined;
  }
}
