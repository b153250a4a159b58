import { EventEmitter } from 'node:events';
import { ControlQueue } from './control-queue.js';
import { CrashLoopWindow } from './crash-loop.js';
import { StartFailedError, StoppedError } from './errors.js';
import type { LogLine, LogStream, StateChange, SupervisorEvent, SupervisorEventType } from './events.js';
import { InstanceRunner } from './instance-runner.js';
import { Journal } from './journal.js';
import { LeaderStandby } from './leader-standby.js';
import { openServiceLogs } from './log-pipes.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import { resolveSupervisorOptions, type ResolvedSupervisorOptions, type SupervisorOptions } from './options.js';
import { decideAfterExit, type RestartDecision } from './restart-decision.js';
import { classifyExit } from './restart-policy.js';
import type { Run, TerminateCause } from './run.js';
import { isFinalState, type SupervisorState } from './states.js';
import type { SupervisorInternals } from './supervisor-internals.js';
import type { LastExit, SupervisorStats } from './stats.js';

export type { SupervisorLogs } from './log-pipes.js';
export type { SupervisorInternals } from './supervisor-internals.js';

type Waiter = { resolve: () => void; reject: (error: Error) => void };

/**
 * Keeps one service alive: spawns it in its own process group, waits for readiness, watches
 * liveness and limits, restarts it under the restart table with backoff and a crash-loop limit,
 * stops it completely (the whole tree, SIGKILL after the timeout), and logs what it says. This
 * class holds the state transitions; the runs themselves are instance-runner.ts's, the decisions
 * restart-decision.ts's, the lease leader-standby.ts's, the order of calls control-queue.ts's.
 */
export class Supervisor extends EventEmitter<{ state: [StateChange]; event: [SupervisorEvent]; log: [LogLine]; settled: [] }> {
  readonly options: ResolvedSupervisorOptions;
  readonly #journal: Journal;
  readonly #runner: InstanceRunner;
  readonly #crashLoop: CrashLoopWindow;
  readonly #guard: OrphanGuard | null;
  readonly #ownsGuard: boolean;
  readonly #queue: ControlQueue;
  readonly #leader: LeaderStandby | null;
  #state: SupervisorState = 'stopped';
  #run: Run | null = null;
  #wanted = false;
  #closed = false;
  #attempt = 0;
  #backoff: { timer: NodeJS.Timeout; until: number } | null = null;
  #waiters: Waiter[] = [];
  #failure: string | null = null;
  #lastExit: LastExit | null = null;
  #counts = { spawns: 0, restarts: 0, crashes: 0, startFailures: 0 };

  constructor(options: SupervisorOptions, internals: SupervisorInternals = {}) {
    super();
    this.options = resolveSupervisorOptions(options);
    const o = this.options;
    const base = internals.key ?? (o.instance === 0 ? o.name : `${o.name}.${o.instance}`);
    this.#crashLoop = new CrashLoopWindow(o.restart.crashLoop.count, o.restart.crashLoop.windowMs, o.now);
    if (internals.counts) this.#counts = { ...internals.counts };
    const source = { service: o.name, instance: o.instance, stderrTailLines: o.logs.stderrTailLines };
    this.#journal = new Journal(internals.logs ?? openServiceLogs(o, base), internals.logs === undefined, source, (event) => this.emit('event', event));
    this.#ownsGuard = o.orphanGuard === null;
    this.#guard = o.orphanGuard === false ? null : (o.orphanGuard ?? createOrphanGuard());
    this.#runner = new InstanceRunner(o, { base, listen: internals.listen ?? null, guard: this.#guard, journal: this.#journal }, {
      record: (type, fields) => this.#record(type, fields),
      line: (stream, line, time) => {
        this.#journal.line(stream, line);
        if (this.listenerCount('log') > 0) this.emit('log', { stream, line, time });
      },
      ready: (run) => this.#onReady(run),
      ending: (_run, cause) => this.#stopping(cause),
      exited: (run, code, signal) => void this.#afterExit(run, code, signal),
    });
    this.#queue = new ControlQueue(`supervisor ${o.name}`, { isClosed: () => this.#closed });
    this.#leader = o.lock
      ? new LeaderStandby(o.lock, o.name, {
          record: (type, fields) => this.#record(type, fields),
          wanted: () => !this.#closed && this.#wanted && this.#state === 'standby',
          won: () => void this.#spawn(),
          lost: () => this.#onLeaseLost(),
          failed: (reason) => this.#giveUp(reason, 'lease-error'),
        })
      : null;
  }

  get name(): string {
    return this.options.name;
  }
  get state(): SupervisorState {
    return this.#state;
  }

  /** Nothing more happens by itself: stopped, failed, or crashed with the decision taken (no restart). */
  get isSettled(): boolean {
    return isFinalState(this.#state) && (this.#run === null || this.#run.done) && this.#backoff === null;
  }

  get pid(): number | null {
    return this.#run && !this.#run.exited ? this.#run.pid : null;
  }

  logPath(stream: LogStream): string {
    return this.#journal.logPath(stream);
  }

  get eventLogPath(): string {
    return this.#journal.logPath('events');
  }

  /** Resolves once `running` (with `lock` and no lease: once `standby`); rejects with StartFailedError. */
  start(): Promise<void> {
    return this.#queue.run('start', () => this.#doStart());
  }

  /** Stops the service and everything it spawned; cancels a pending restart. */
  stop(): Promise<void> {
    const stopping = this.#queue.run('stop', () => this.#doStop());
    // A start waiting for readiness (a crash loop can take a minute) is overtaken: it rejects ESTOPPED.
    this.#rejectWaiters(new StoppedError(this.options.name));
    return stopping;
  }

  /** Stop (if active) and start again, resetting the crash-loop window. A lease held is kept across it. */
  restart(): Promise<void> {
    return this.#queue.run('restart', async () => {
      await this.#doStop(false);
      await this.#doStart();
    });
  }

  /** Stops the service and releases logs, the notify socket and the orphan guard. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    await this.#runner.close();
    await this.#journal.close();
    if (this.#ownsGuard) await this.#guard?.close();
    this.removeAllListeners();
  }

  stats(): SupervisorStats {
    const [run, now, resources, logs] = [this.#run, this.options.now(), this.#runner.freshResources(), this.#journal.logCounts];
    const token = this.#leader?.fencingToken ?? null;
    return {
      name: this.options.name,
      instance: this.options.instance,
      state: this.#state,
      pid: this.pid,
      ...this.#counts,
      uptimeMs: run && !run.exited && run.readyAt !== null ? Math.round(now - run.readyAt) : 0,
      lastExit: this.#lastExit,
      memoryBytes: resources?.memoryBytes ?? null,
      memoryLimitBytes: this.options.limits.memoryBytes || null,
      cpuPercent: resources?.cpuPercent ?? null,
      processes: resources?.processes ?? null,
      status: this.#runner.status,
      ...logs,
      nextRestartInMs: this.#backoff === null ? null : Math.max(0, Math.round(this.#backoff.until - now)),
      failure: this.#failure,
      fencingToken: token === null ? null : String(token),
    };
  }

  /** The last stderr lines kept in memory (what `failed` shows the user). */
  get stderrTail(): string[] {
    return this.#journal.stderrTail;
  }

  /** The last `lines` lines of a log file (across one rotation). */
  tail(stream: LogStream | 'events', lines: number): string[] {
    return this.#journal.tail(stream, lines);
  }

  /** The last lines seen, from memory: read it and subscribe to `log` / `event` in the same tick to follow. */
  recent(stream: LogStream | 'events', lines: number): string[] {
    return this.#journal.recent(stream, lines);
  }

  /** Resolves once every queued log line is in its file (or counted as dropped). */
  flushLogs(): Promise<void> {
    return this.#journal.flush();
  }

  // ---- start and stop ------------------------------------------------------------------------

  async #doStart(): Promise<void> {
    const previous = this.#run;
    // An exit being handled (leftovers swept, decision pending): let it settle before deciding.
    if (previous && !previous.done && previous.exited) await previous.finished;
    if (this.#state === 'running' || this.#state === 'standby') return;
    const settled = isFinalState(this.#state);
    if (settled) this.#resetFailures();
    if (this.#leader && !this.#leader.hasLease && settled) {
      this.#wanted = true;
      this.#seekLease('waiting for the lease');
      return;
    }
    const outcome = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#wanted = true;
    const restartNow = this.#state === 'backoff' || settled;
    this.#cancelBackoff();
    if (restartNow) await this.#spawn();
    return outcome;
  }

  async #doStop(releaseLease = true): Promise<void> {
    this.#wanted = false;
    this.#rejectWaiters(new StoppedError(this.options.name));
    this.#leader?.cancel();
    if (this.#state === 'standby' || this.#state === 'backoff') {
      this.#cancelBackoff();
      this.#setState('stopped', `stop requested during ${this.#state}`);
    } else {
      const run = this.#run;
      if (run && !run.exited) {
        this.#record('stop-requested', { pid: run.pid });
        this.#stopping('stop');
        await this.#runner.terminate(run, 'stop');
      }
      if (run) await run.finished;
      // A crash the policy did not restart (or a oneshot's end) is over too, once someone asked for a stop.
      if (this.#state === 'crashed' || this.#state === 'completed') this.#setState('stopped', `stop requested after ${this.#state === 'crashed' ? 'the crash' : 'it completed'}`);
    }
    // Only now, with the service and its whole tree gone, may another host take over.
    if (releaseLease) await this.#leader?.drop();
    this.emit('settled');
  }

  #seekLease(reason: string): void {
    this.#setState('standby', reason);
    this.#leader!.seek();
  }

  /** The lease was lost (leader-standby.ts): SIGKILL what runs, or wait for the lease again. */
  #onLeaseLost(): void {
    const run = this.#run;
    if (run && !run.exited) {
      this.#stopping('lease');
      void this.#runner.terminate(run, 'lease');
    } else if (this.#state === 'backoff') {
      this.#cancelBackoff();
      if (this.#wanted && !this.#closed) this.#seekLease('lease lost');
    }
    // Otherwise an exit is being handled or nothing runs: the decision and start() see no lease.
  }

  #rejectWaiters(error: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  // ---- a run ---------------------------------------------------------------------------------

  async #spawn(): Promise<void> {
    this.#backoff = null;
    if (this.#leader && !this.#leader.held) {
      // The lease ran out (or was never won) before this spawn: nothing may run without it.
      this.#leader.forget();
      this.#seekLease('no lease held at spawn');
      return;
    }
    this.#setState('starting', this.#counts.spawns === 0 ? 'start' : 'restart');
    const first = this.#counts.spawns === 0;
    this.#journal.startRun();
    const spawned = await this.#runner.spawn(this.#leader?.fencingToken ?? null);
    if (!spawned.ok && spawned.stage === 'environment') {
      this.#giveUp(spawned.reason, 'spawn-error');
      return;
    }
    if (!first) this.#counts.restarts++;
    this.#counts.spawns++;
    this.#crashLoop.recordStart();
    if (!spawned.ok) {
      this.#record('spawn-error', { error: spawned.reason });
      this.#lastExit = { code: null, signal: null, at: new Date().toISOString(), reason: 'spawn-error', phase: 'start', runMs: 0 };
      this.#counts.startFailures++;
      this.#giveUp(spawned.reason, 'spawn-error');
      return;
    }
    this.#run = spawned.run;
    this.#record('spawned', { pid: spawned.run.pid, attempt: this.#attempt });
    this.#runner.begin(spawned.run);
  }

  #onReady(run: Run): void {
    if (run.readyAt !== null || run.exited || run.cause !== null || run !== this.#run) return;
    run.readyAt = this.options.now();
    run.lastHeartbeat = run.readyAt;
    this.#record('ready', { pid: run.pid, startupMs: Math.round(run.readyAt - run.spawnedAt) });
    this.#setState('running', 'ready');
    for (const w of this.#waiters.splice(0)) w.resolve();
    this.#runner.watch(run);
  }

  #stopping(cause: TerminateCause): void {
    if (this.#state === 'starting' || this.#state === 'running') this.#setState('stopping', cause);
  }

  async #afterExit(run: Run, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const o = this.options;
    const phase = run.readyAt === null ? 'start' : 'run';
    const requested = run.cause === 'stop' || !this.#wanted;
    const leaseLost = run.cause === 'lease';
    const cause = run.cause === 'stop' || run.cause === 'lease' ? null : run.cause;
    const reason = classifyExit({ code, signal, cause }, o.restart.neverRestartExitCodes);
    const runMs = Math.round(o.now() - run.spawnedAt);
    this.#lastExit = { code, signal, at: new Date().toISOString(), reason: requested ? 'stop' : leaseLost ? 'lease-lost' : reason, phase, runMs };
    const uptimeMs = run.readyAt === null ? 0 : Math.round(o.now() - run.readyAt);
    this.#record('exited', { pid: run.pid, code, signal, reason: this.#lastExit.reason, phase, uptimeMs, runMs });
    if (!requested && !leaseLost && reason !== 'clean') {
      if (phase === 'start') this.#counts.startFailures++;
      else this.#counts.crashes++;
      this.#setState('crashed', `${phase === 'start' ? 'start failure' : 'crash'}: ${reason}`);
    }
    await this.#runner.settle(run, leaseLost);
    if (this.#run === run) {
      const crashLoop = { exhausted: this.#crashLoop.isExhausted, recentStarts: this.#crashLoop.recentStarts };
      const leaseMissing = this.#leader !== null && !this.#leader.hasLease;
      const awaited = this.#waiters.length > 0;
      this.#apply(decideAfterExit({ requested, leaseMissing, reason, code, signal, phase, uptimeMs, attempt: this.#attempt, awaited, crashLoop }, o, o.random), reason);
    }
    run.finish();
    this.emit('settled');
  }

  #apply(decision: RestartDecision, reason: string): void {
    switch (decision.action) {
      case 'stopped':
        this.#setState('stopped', 'stopped');
        return;
      case 'complete':
        this.#setState('completed', 'exited 0');
        for (const w of this.#waiters.splice(0)) w.resolve();
        return;
      case 'seek-lease':
        if (!this.#closed) this.#seekLease('lease lost');
        return;
      case 'give-up':
        this.#giveUp(decision.reason, decision.kind);
        return;
      case 'settle':
        void this.#leader?.drop();
        this.#setState(decision.state, decision.state === 'stopped' ? 'exited cleanly' : `restart policy ${this.options.restart.policy}`);
        this.#rejectWaiters(this.#startError(decision.why));
        return;
      case 'restart': {
        const { attempt, delayMs } = decision;
        this.#attempt = attempt;
        this.#record('restarting', { delayMs, attempt, reason });
        this.#setState('backoff', `restarting in ${delayMs} ms`);
        const timer = setTimeout(() => {
          this.#backoff = null;
          if (this.#state === 'backoff' && this.#wanted && !this.#closed) void this.#spawn();
        }, delayMs);
        this.#backoff = { timer, until: this.options.now() + delayMs };
      }
    }
  }

  #giveUp(reason: string, kind: string): void {
    this.#failure = reason;
    this.#wanted = false;
    void this.#leader?.drop();
    this.#record('gave-up', { reason, kind, stderrTail: this.stderrTail });
    this.#setState('failed', reason);
    this.#rejectWaiters(this.#startError(reason));
    this.emit('settled');
  }

  #startError(reason: string): StartFailedError {
    const exit = this.#lastExit ? { code: this.#lastExit.code, signal: this.#lastExit.signal } : null;
    return new StartFailedError(this.options.name, this.#state, reason, exit, this.stderrTail);
  }

  #resetFailures(): void {
    this.#crashLoop.reset();
    this.#attempt = 0;
    this.#failure = null;
  }

  #cancelBackoff(): void {
    if (this.#backoff) clearTimeout(this.#backoff.timer);
    this.#backoff = null;
  }

  #setState(to: SupervisorState, reason: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#record('state', { from, to, reason });
    this.emit('state', { from, to, reason });
  }

  #record(type: SupervisorEventType, fields: Record<string, unknown>): void {
    this.#journal.record(type, fields);
  }
}
