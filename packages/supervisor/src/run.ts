import type { ChildProcess } from 'node:child_process';
import { LimitWatch, ResourceMeter, type LimitBreach, type ResourceSample } from './resource-sampler.js';
import type { ProcessTree } from './tree-kill.js';

/** Why the supervisor itself ended a run. */
export type TerminateCause = 'stop' | 'start-timeout' | 'liveness' | 'limit' | 'lease';

/** Timers that belong to one run: all cleared when it exits. */
export class RunTimers {
  readonly #timers = new Set<NodeJS.Timeout>();

  set(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/**
 * One spawn of an instance, from its spawn until its exit has been handled: its process and tree,
 * its timers, what it has said (ready, heartbeats), and the two things done to it from outside —
 * sampling its resources and terminating it.
 */
export class Run {
  readonly spawnedAt: number;
  readyAt: number | null = null;
  /** Set when the supervisor ends the run itself, and why. */
  cause: TerminateCause | null = null;
  exited = false;
  exit: { code: number | null; signal: string | null } | null = null;
  terminating: Promise<void> | null = null;
  /** The exit was handled: leftovers swept, the restart decision taken (see `finished`). */
  done = false;
  lastHeartbeat: number;
  /** This run's heartbeat timeout: liveness.heartbeatTimeout, or what the service set with WATCHDOG_USEC=. */
  heartbeatTimeoutMs = 0;
  /** Set by liveness.ts while it watches the heartbeat: re-arms its check after heartbeatTimeoutMs changed. */
  rearmHeartbeat: (() => void) | null = null;
  readonly timers = new RunTimers();
  readonly finished: Promise<void>;
  readonly #meter: ResourceMeter;
  readonly #limits: LimitWatch;
  #samples = 0;
  /** While terminating: when SIGKILL is due (`now()` ms); EXTEND_TIMEOUT_USEC= moves it later. */
  #killAt: number | null = null;
  #resolveFinished!: () => void;

  constructor(
    readonly id: number,
    /** The events ('exit', 'message') and send() live there. */
    readonly child: ChildProcess,
    readonly pid: number,
    readonly tree: ProcessTree,
    private readonly now: () => number,
    limits: { memoryBytes: number; cpuPercent: number; windowMs: number },
  ) {
    this.spawnedAt = now();
    this.lastHeartbeat = this.spawnedAt;
    this.#meter = new ResourceMeter(now);
    this.#limits = new LimitWatch(limits, now);
    this.finished = new Promise<void>((resolve) => (this.#resolveFinished = resolve));
  }

  finish(): void {
    this.done = true;
    this.#resolveFinished();
  }

  markExited(code: number | null, signal: string | null): void {
    this.exited = true;
    this.exit = { code, signal };
    this.timers.clear();
    this.tree.rootExited();
  }

  /**
   * Memory and CPU of the whole tree, and a limit exceeded for its whole window (unless the run
   * is already being ended). Every tenth sample lists all of /proc and looks for the marker, to
   * find double-forked daemons that left the tree unseen; the others walk the tree's own entries.
   */
  sample(): { sample: ResourceSample; breach: LimitBreach | null } {
    const sample = this.#meter.sample(this.tree.members(++this.#samples % 10 === 0 ? 'sample' : 'walk'));
    return { sample, breach: this.cause === null ? this.#limits.check(sample) : null };
  }

  /**
   * The stop sequence: `signal` to the whole tree (tree-kill.ts), the shutdown message to a Node
   * child, then after `timeoutMs` SIGKILL to all of it (`onKill` is told). Resolves once the exit
   * has been handled. A second call shares the first.
   */
  terminate(cause: TerminateCause, stop: { signal: NodeJS.Signals; timeoutMs: number; onKill: (afterMs: number) => void }): Promise<void> {
    if (this.terminating) return this.terminating;
    this.cause = cause;
    const startedAt = this.now();
    this.tree.signal(stop.signal);
    if (this.child.connected) {
      try {
        this.child.send({ svc: 'shutdown' });
      } catch {
        // The channel closed between the check and the send: the signal above still stands.
      }
    }
    this.#killAt = startedAt + stop.timeoutMs;
    this.terminating = new Promise<void>((resolve) => {
      let killTimer: NodeJS.Timeout;
      // A deadline moved later (extendStop) is waited out from where the timer fired.
      const due = () => {
        if (this.exited) return;
        const leftMs = this.#killAt! - this.now();
        if (leftMs > 0) {
          killTimer = setTimeout(due, Math.ceil(leftMs));
          return;
        }
        this.#killAt = null;
        stop.onKill(Math.round(this.now() - startedAt));
        this.tree.signal('SIGKILL');
      };
      killTimer = setTimeout(due, stop.timeoutMs);
      void this.finished.then(() => {
        clearTimeout(killTimer);
        resolve();
      });
    });
    return this.terminating;
  }

  /**
   * EXTEND_TIMEOUT_USEC= while stopping: SIGKILL no sooner than `ms` from now (a later deadline
   * stands). False when the run is not being stopped, or SIGKILL has been sent.
   */
  extendStop(ms: number): boolean {
    if (this.#killAt === null || this.exited) return false;
    this.#killAt = Math.max(this.#killAt, this.now() + ms);
    return true;
  }
}
