import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { backoffDelayMs } from './backoff.js';
import { CrashLoopWindow } from './crash-loop.js';
import { readEnvFile } from './env-file.js';
import { ClosedError, InvalidOptionsError, StartFailedError, StoppedError, isSupervisorError } from './errors.js';
import { waitForLease, type LeaderLease } from './leader-lease.js';
import { ensurePrivateDir, LineSplitter, RotatingLog } from './log-file.js';
import { tailLog } from './log-tail.js';
import { RECENT_LINES, RecentLines } from './recent-lines.js';
import { createNotifySocket, parseIpcMessage, type NotifyMessage, type NotifySocket } from './notify-socket.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import { resolveSupervisorOptions, type ResolvedSupervisorOptions, type SupervisorOptions } from './options.js';
import { probeHttp, probeTcp } from './probe.js';
import { CLOCK_TICKS_PER_SECOND, hasProc, readProc, readRssBytes, scanTree, walkTree, type ProcInfo } from './proc-tree.js';
import { classifyExit, shouldRestart, type ExitReason } from './restart-policy.js';

/** `standby`: started, waiting for the service's distributed lease (`lock`) before it spawns anything. */
export type SupervisorState = 'standby' | 'starting' | 'running' | 'stopping' | 'stopped' | 'backoff' | 'crashed' | 'failed';
export const SUPERVISOR_STATES: readonly SupervisorState[] = ['standby', 'starting', 'running', 'stopping', 'stopped', 'backoff', 'crashed', 'failed'];

export type LogStream = 'stdout' | 'stderr';

export type SupervisorEventType =
  | 'state'
  | 'spawned'
  | 'spawn-error'
  | 'ready'
  | 'status'
  | 'exited'
  | 'restarting'
  | 'gave-up'
  | 'stop-requested'
  | 'killed'
  | 'liveness-failed'
  | 'limit-exceeded'
  | 'report'
  | 'log-error'
  | 'lease-acquired'
  | 'lease-lost'
  | 'lease-released'
  | 'lease-error'
  // A Service's own events (instance -1): its socket, reloads and scaling.
  | 'listening'
  | 'socket-closed'
  | 'reload-started'
  | 'instance-replaced'
  | 'reload-done'
  | 'reload-failed'
  | 'reload-fallback'
  | 'scale';

/** One line of the JSON-lines event log, and the payload of the `event` event. */
export interface SupervisorEvent {
  /** Wall-clock time (ISO 8601), for humans; intervals are measured on the monotonic clock. */
  time: string;
  service: string;
  instance: number;
  type: SupervisorEventType;
  [field: string]: unknown;
}

export interface LastExit {
  code: number | null;
  signal: string | null;
  at: string;
  reason: ExitReason | 'stop' | 'spawn-error' | 'lease-lost';
  /** `start`: ended before it was ready (a start failure); `run`: ended after (a crash). */
  phase: 'start' | 'run';
}

export interface SupervisorStats {
  name: string;
  instance: number;
  state: SupervisorState;
  pid: number | null;
  spawns: number;
  restarts: number;
  crashes: number;
  startFailures: number;
  uptimeMs: number;
  lastExit: LastExit | null;
  memoryBytes: number | null;
  cpuPercent: number | null;
  processes: number | null;
  status: string | null;
  droppedLogLines: number;
  /** Log bytes waiting for the disk (bounded by logs.maxBuffer). */
  logBufferedBytes: number;
  nextRestartInMs: number | null;
  failure: string | null;
  /** The fencing token of the lease this supervisor holds (decimal), null without `lock` or while standby. */
  fencingToken: string | null;
}

export interface StateChange {
  from: SupervisorState;
  to: SupervisorState;
  reason: string;
}

export interface LogLine {
  stream: LogStream;
  line: string;
}

type TerminateCause = 'stop' | 'start-timeout' | 'liveness' | 'limit' | 'lease';

interface Run {
  id: number;
  /** The events ('exit', 'message') and send() live there. */
  child: ChildProcess;
  pid: number;
  startTicks: number;
  marker: string;
  spawnedAt: number;
  readyAt: number | null;
  cause: TerminateCause | null;
  exited: boolean;
  exit: { code: number | null; signal: string | null } | null;
  /** Descendants seen by scans: pid → start ticks. */
  known: Map<number, number>;
  /** Pids registered with the orphan guard beside the process group. */
  guarded: Set<number>;
  timers: Set<NodeJS.Timeout>;
  terminating: Promise<void> | null;
  finished: Promise<void>;
  finish: () => void;
  /** The exit was handled: leftovers swept, the restart decision taken. */
  done: boolean;
  lastHeartbeat: number;
  probeFailures: number;
  overMemorySince: number | null;
  overCpuSince: number | null;
  lastCpu: { ticks: number; at: number } | null;
  samples: number;
  splitters: Record<LogStream, LineSplitter>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Keeps one service alive: spawns it in its own process group, waits for readiness, watches
 * liveness and limits, restarts it under the restart table with backoff and a crash-loop limit,
 * stops it completely (the whole tree, SIGKILL after the timeout), and logs what it says.
 *
 * Control calls (start, stop, restart) are serialised; a call identical to the one already
 * waiting in the queue shares its answer, so 20 restarts at once cost one or two restarts and
 * every caller gets a result.
 */
/** The log files a Supervisor writes to: its own by default, or a Service's shared by its instances. */
export interface SupervisorLogs {
  stdout: RotatingLog;
  stderr: RotatingLog;
  events: RotatingLog;
}

/**
 * What a `Service` gives each of its instances beyond the options: not needed to supervise one
 * process alone.
 */
export interface SupervisorInternals {
  /** Names the instance's notify socket (`<runDir>/<key>.notify.sock`); default the name (and `.instance`). */
  key?: string;
  /** Shared log files; the Supervisor then writes to them but does not close them. */
  logs?: SupervisorLogs;
  /**
   * A listening socket's descriptor in this process: the child gets it as fd 3 with systemd's
   * `LISTEN_FDS=1`, `LISTEN_PID` (its own pid) and `LISTEN_FDNAMES=<name>`.
   */
  listen?: { fd: number; name: string };
}

/**
 * Exports LISTEN_PID as the shell's own pid, then execs the command in its place: the service
 * sees its real pid there, as systemd's convention asks, although the pid is unknown before spawn.
 */
const LISTEN_PID_SHIM = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

export class Supervisor extends EventEmitter<{ state: [StateChange]; event: [SupervisorEvent]; log: [LogLine] }> {
  readonly options: ResolvedSupervisorOptions;
  readonly #ownsLogs: boolean;
  readonly #listen: { fd: number; name: string } | null;
  readonly #base: string;
  readonly #crashLoop: CrashLoopWindow;
  readonly #logs: Record<LogStream, RotatingLog>;
  readonly #eventLog: RotatingLog;
  readonly #guard: OrphanGuard | null;
  readonly #ownsGuard: boolean;
  #state: SupervisorState = 'stopped';
  #run: Run | null = null;
  #runCounter = 0;
  #wanted = false;
  #closed = false;
  #attempt = 0;
  #backoffTimer: NodeJS.Timeout | null = null;
  #backoffUntil: number | null = null;
  #sampler: NodeJS.Timeout | null = null;
  #notify: NotifySocket | null = null;
  #waiters: Waiter[] = [];
  #queueTail: Promise<unknown> = Promise.resolve();
  #pendingOp: { kind: string; promise: Promise<void> } | null = null;
  #stderrTail: string[] = [];
  #status: string | null = null;
  #failure: string | null = null;
  readonly #recent = {
    stdout: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    stderr: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    events: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
  };
  #lastExit: LastExit | null = null;
  #memoryBytes: number | null = null;
  #cpuPercent: number | null = null;
  #processes: number | null = null;
  #counts = { spawns: 0, restarts: 0, crashes: 0, startFailures: 0 };
  /** The lease held under `lock`: the service runs only while this is set. */
  #lease: LeaderLease | null = null;
  /** Aborts the wait for the lease (standby). */
  #seeking: AbortController | null = null;

  constructor(options: SupervisorOptions, internals: SupervisorInternals = {}) {
    super();
    this.options = resolveSupervisorOptions(options);
    const o = this.options;
    this.#base = internals.key ?? (o.instance === 0 ? o.name : `${o.name}.${o.instance}`);
    this.#listen = internals.listen ?? null;
    const notifyPath = join(o.runDir, `${this.#base}.notify.sock`);
    // sun_path is 108 bytes on Linux, 104 on macOS.
    if (Buffer.byteLength(notifyPath) > 103) {
      throw new InvalidOptionsError('runDir', o.runDir, `a shorter path: the notify socket ${notifyPath} exceeds 103 bytes`);
    }
    this.#crashLoop = new CrashLoopWindow(o.restart.crashLoop.count, o.restart.crashLoop.windowMs, o.now);
    ensurePrivateDir(o.logDir);
    if (o.runDir !== o.logDir) ensurePrivateDir(o.runDir);
    this.#ownsLogs = internals.logs === undefined;
    const logs = internals.logs ?? openServiceLogs(o, this.#base);
    this.#logs = { stdout: logs.stdout, stderr: logs.stderr };
    this.#eventLog = logs.events;
    if (this.#ownsLogs) {
      for (const stream of ['stdout', 'stderr'] as const) {
        this.#logs[stream].on('write-error', (error) =>
          this.#record('log-error', { stream, error: (error as NodeJS.ErrnoException).code ?? error.message, droppedLines: this.#logs[stream].stats.droppedLines }),
        );
      }
    }
    if (o.orphanGuard === false) {
      this.#guard = null;
      this.#ownsGuard = false;
    } else if (o.orphanGuard) {
      this.#guard = o.orphanGuard;
      this.#ownsGuard = false;
    } else {
      this.#guard = createOrphanGuard();
      this.#ownsGuard = true;
    }
  }

  get name(): string {
    return this.options.name;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  get pid(): number | null {
    return this.#run && !this.#run.exited ? this.#run.pid : null;
  }

  logPath(stream: LogStream): string {
    return this.#logs[stream].path;
  }

  get eventLogPath(): string {
    return this.#eventLog.path;
  }

  /**
   * Starts the service; resolves when it is `running`, rejects with StartFailedError when it cannot
   * get there. With `lock` and no lease yet, resolves once `standby`: it runs when the lease is won.
   */
  start(): Promise<void> {
    return this.#enqueue('start', () => this.#doStart());
  }

  /** Stops the service and everything it spawned; cancels a pending restart. */
  stop(): Promise<void> {
    const stopping = this.#enqueue('stop', () => this.#doStop());
    // A start waiting for readiness holds the queue until the service is ready or gives up (a
    // crash loop can take a minute): the stop overtakes it, and that start rejects with StoppedError.
    this.#rejectWaiters(new StoppedError(this.options.name));
    return stopping;
  }

  /** Stop (if active) and start again, resetting the crash-loop window. A lease held is kept across it. */
  restart(): Promise<void> {
    return this.#enqueue('restart', async () => {
      await this.#doStop(false);
      await this.#doStart();
    });
  }

  /** Stops the service and releases logs, the notify socket and the orphan guard. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    await this.#notify?.close();
    this.#notify = null;
    if (this.#ownsLogs) {
      await Promise.all([this.#logs.stdout.close(), this.#logs.stderr.close()]);
      await this.#eventLog.close();
    }
    if (this.#ownsGuard) this.#guard?.close();
    this.removeAllListeners();
  }

  stats(): SupervisorStats {
    const run = this.#run;
    const now = this.options.now();
    return {
      name: this.options.name,
      instance: this.options.instance,
      state: this.#state,
      pid: this.pid,
      ...this.#counts,
      uptimeMs: run && !run.exited && run.readyAt !== null ? Math.round(now - run.readyAt) : 0,
      lastExit: this.#lastExit,
      memoryBytes: this.#memoryBytes,
      cpuPercent: this.#cpuPercent,
      processes: this.#processes,
      status: this.#status,
      droppedLogLines: this.#logs.stdout.stats.droppedLines + this.#logs.stderr.stats.droppedLines,
      logBufferedBytes: this.#logs.stdout.queuedBytes + this.#logs.stderr.queuedBytes,
      nextRestartInMs: this.#backoffUntil === null ? null : Math.max(0, Math.round(this.#backoffUntil - now)),
      failure: this.#failure,
      fencingToken: this.#lease ? String(this.#lease.fencingToken) : null,
    };
  }

  /** The last stderr lines kept in memory (what `failed` shows the user). */
  get stderrTail(): string[] {
    return [...this.#stderrTail];
  }

  /** The last `lines` lines of a log file (across one rotation). */
  tail(stream: LogStream | 'events', lines: number): string[] {
    return tailLog(stream === 'events' ? this.eventLogPath : this.logPath(stream), lines);
  }

  /**
   * The last lines this Supervisor saw on a stream, from memory (at most RECENT_LINES). Read it
   * and subscribe to `log` / `event` in the same tick to follow without a gap or a repeat.
   */
  recent(stream: LogStream | 'events', lines: number): string[] {
    return this.#recent[stream].last(lines);
  }

  /** Resolves when every queued log line has reached its file (or been counted as dropped). */
  async flushLogs(): Promise<void> {
    await Promise.all([this.#logs.stdout.flush(), this.#logs.stderr.flush(), this.#eventLog.flush()]);
  }

  // ---- control queue -------------------------------------------------------------------------

  #enqueue(kind: string, operation: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError(`supervisor ${this.options.name}`));
    if (this.#pendingOp?.kind === kind) return this.#pendingOp.promise;
    const op: { kind: string; promise: Promise<void> } = { kind, promise: Promise.resolve() };
    op.promise = this.#queueTail.then(() => {
      if (this.#pendingOp === op) this.#pendingOp = null;
      return operation();
    });
    this.#pendingOp = op;
    // The queue only orders operations; each caller gets its own outcome from op.promise.
    this.#queueTail = op.promise.catch(() => undefined);
    return op.promise;
  }

  async #doStart(): Promise<void> {
    if (this.#closed) throw new ClosedError(`supervisor ${this.options.name}`);
    const previous = this.#run;
    // An exit being handled (leftovers swept, decision pending): let it settle before deciding.
    if (previous && !previous.done && previous.exited) await previous.finished;
    if (this.#state === 'running' || this.#state === 'standby') return;
    const settled = this.#state === 'stopped' || this.#state === 'crashed' || this.#state === 'failed';
    if (this.options.lock && this.#lease === null && settled) {
      this.#crashLoop.reset();
      this.#attempt = 0;
      this.#failure = null;
      this.#wanted = true;
      this.#seekLease('waiting for the lease');
      return;
    }
    const outcome = this.#waitRunning();
    this.#wanted = true;
    if (this.#state === 'backoff') {
      this.#cancelBackoff();
      await this.#spawn();
    } else if (this.#state === 'stopped' || this.#state === 'crashed' || this.#state === 'failed') {
      this.#crashLoop.reset();
      this.#attempt = 0;
      this.#failure = null;
      await this.#spawn();
    }
    return outcome;
  }

  async #doStop(releaseLease = true): Promise<void> {
    this.#wanted = false;
    this.#rejectWaiters(new StoppedError(this.options.name));
    this.#seeking?.abort();
    this.#seeking = null;
    if (this.#state === 'standby') {
      this.#setState('stopped', 'stop requested during standby');
    } else if (this.#state === 'backoff') {
      this.#cancelBackoff();
      this.#setState('stopped', 'stop requested during backoff');
    } else {
      const run = this.#run;
      if (run && !run.exited) {
        this.#record('stop-requested', { pid: run.pid });
        await this.#terminate(run, 'stop');
      }
      if (run) await run.finished;
    }
    // Only now, with the service and its whole tree gone, may another host take over.
    if (releaseLease) await this.#dropLease();
  }

  // ---- the distributed lease (lock) ----------------------------------------------------------

  /** Standby: waits for the lease in the background, then spawns under it. */
  #seekLease(reason: string): void {
    const lock = this.options.lock!;
    this.#setState('standby', reason);
    if (this.#seeking) return;
    const abort = new AbortController();
    this.#seeking = abort;
    const metadata = { service: this.options.name, host: hostname(), pid: process.pid };
    waitForLease(lock, abort.signal, metadata).then(
      (lease) => {
        if (this.#seeking === abort) this.#seeking = null;
        if (abort.signal.aborted || this.#closed || !this.#wanted || this.#state !== 'standby') {
          void this.#giveBack(lease);
          return;
        }
        this.#lease = lease;
        lease.once('lost', (error) => this.#onLeaseLost(lease, error));
        this.#record('lease-acquired', { fencingToken: String(lease.fencingToken), location: lease.location });
        void this.#spawn();
      },
      (error: unknown) => {
        if (this.#seeking === abort) this.#seeking = null;
        // Aborted by stop() or close(): standby ended on request, nothing failed.
        if (abort.signal.aborted) return;
        this.#giveUp(`cannot wait for the ${lock.backend} lease ${lock.key}: ${(error as Error).message}`, 'lease-error');
      },
    );
  }

  /**
   * The lease stopped being ours (the holder says so before the server could hand it to anyone
   * else, by `marginMs`): the service is SIGKILLed with its tree at once — a graceful stop could
   * outlast the lease — and the supervisor goes back to standby.
   */
  #onLeaseLost(lease: LeaderLease, error: Error): void {
    if (this.#lease !== lease) return;
    this.#lease = null;
    this.#record('lease-lost', { fencingToken: String(lease.fencingToken), error: error.message });
    const run = this.#run;
    if (run && !run.exited) {
      void this.#terminate(run, 'lease');
    } else if (this.#state === 'backoff') {
      this.#cancelBackoff();
      if (this.#wanted && !this.#closed) this.#seekLease('lease lost');
    }
    // Otherwise an exit is being handled or nothing runs: #decide and start() look at #lease.
  }

  /** Releases the lease (after the service stopped) and ends a wait for one. */
  async #dropLease(): Promise<void> {
    this.#seeking?.abort();
    this.#seeking = null;
    const lease = this.#lease;
    this.#lease = null;
    if (lease) await this.#giveBack(lease);
  }

  async #giveBack(lease: LeaderLease): Promise<void> {
    try {
      await lease.release();
      this.#record('lease-released', { fencingToken: String(lease.fencingToken) });
    } catch (error) {
      // The server is unreachable: the lease expires there within lock.ttl, and the service is
      // already stopped, so nothing acts under it meanwhile.
      this.#record('lease-error', { fencingToken: String(lease.fencingToken), error: (error as Error).message });
    }
  }

  #waitRunning(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #resolveWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
  }

  #rejectWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(error);
  }

  // ---- spawning ------------------------------------------------------------------------------

  async #spawn(): Promise<void> {
    const o = this.options;
    this.#backoffUntil = null;
    if (o.lock && !this.#lease?.isHeld) {
      // The lease ran out (or was never won) before this spawn: nothing may run without it.
      this.#lease = null;
      this.#seekLease('no lease held at spawn');
      return;
    }
    this.#setState('starting', this.#counts.spawns === 0 ? 'start' : 'restart');
    let env: Record<string, string>;
    try {
      env = await this.#buildEnv();
    } catch (error) {
      this.#giveUp(isSupervisorError(error) ? error.message : String(error), 'spawn-error');
      return;
    }
    if (this.#counts.spawns > 0) this.#counts.restarts++;
    this.#counts.spawns++;
    this.#crashLoop.recordStart();
    const marker = env.SVC_INSTANCE_ID!;
    const listen = this.#listen;
    const [file, args] = listen ? ['/bin/sh', ['-c', LISTEN_PID_SHIM, o.command, ...o.args]] : [o.command, o.args];
    // fd 3 is the listening socket when there is one (sd_listen_fds(3) starts there); the IPC
    // channel goes after it (a Node child finds it by NODE_CHANNEL_FD, wherever it is).
    const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...(listen ? [listen.fd] : []), ...(o.ipc ? (['ipc'] as const) : [])];
    let child: ChildProcess;
    let spawnError: Error | null = null;
    try {
      child = spawn(file, args, { cwd: o.cwd, env, detached: true, stdio, serialization: 'json', windowsHide: true });
    } catch (error) {
      // Invalid arguments (a NUL byte in an argument, say) throw at once instead of emitting 'error'.
      spawnError = error as Error;
      child = null as unknown as ChildProcess;
    }
    if (spawnError === null && child.pid === undefined) {
      spawnError = await new Promise<Error>((resolve) => child.once('error', resolve));
    }
    if (spawnError !== null) {
      this.#record('spawn-error', { error: spawnError.message });
      this.#lastExit = { code: null, signal: null, at: new Date().toISOString(), reason: 'spawn-error', phase: 'start' };
      this.#counts.startFailures++;
      this.#giveUp(`cannot spawn ${o.command}: ${spawnError.message}`, 'spawn-error');
      return;
    }
    // After a successful spawn, 'error' only reports a failed kill() or send(): the exit is what
    // decides, and a send to a child that is gone has nothing to deliver.
    child.on('error', () => undefined);
    const pid = child.pid!;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const run: Run = {
      id: ++this.#runCounter,
      child,
      pid,
      startTicks: (hasProc ? readProc(pid)?.startTicks : undefined) ?? 0,
      marker: `SVC_INSTANCE_ID=${marker}`,
      spawnedAt: o.now(),
      readyAt: null,
      cause: null,
      exited: false,
      exit: null,
      known: new Map(),
      guarded: new Set(),
      timers: new Set(),
      terminating: null,
      finished,
      finish: () => {
        run.done = true;
        finish();
      },
      done: false,
      lastHeartbeat: o.now(),
      probeFailures: 0,
      overMemorySince: null,
      overCpuSince: null,
      lastCpu: null,
      samples: 0,
      splitters: { stdout: new LineSplitter(), stderr: new LineSplitter() },
    };
    this.#run = run;
    this.#guard?.addGroup(pid);
    this.#record('spawned', { pid, attempt: this.#attempt });
    this.#pipe(run, 'stdout', child.stdout);
    this.#pipe(run, 'stderr', child.stderr);
    run.child.on('message', (message: unknown) => {
      const parsed = parseIpcMessage(message);
      if (parsed) this.#onNotify(run, parsed);
    });
    // 'exit', not 'close': a grandchild holding the pipes must not delay the decision.
    run.child.once('exit', (code, signal) => this.#onExit(run, code, signal));
    this.#startSampler();
    this.#awaitReadiness(run);
  }

  async #buildEnv(): Promise<Record<string, string>> {
    const o = this.options;
    const env: Record<string, string> = {};
    if (o.inheritEnv) {
      for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    }
    if (o.envFile !== null) Object.assign(env, readEnvFile(o.envFile));
    Object.assign(env, o.env);
    env.SVC_SERVICE_NAME = o.name;
    env.SVC_INSTANCE = String(o.instance);
    env.SVC_STOP_TIMEOUT_MS = String(o.stop.timeoutMs);
    env.SVC_INSTANCE_ID = randomBytes(12).toString('hex');
    if (this.#lease) env.SVC_FENCING_TOKEN = String(this.#lease.fencingToken);
    else delete env.SVC_FENCING_TOKEN;
    if (o.ipc) env.SVC_NOTIFY = 'ipc';
    else delete env.SVC_NOTIFY;
    // systemd's variables are set afresh for a handed-over socket (LISTEN_PID by the shim at exec),
    // and never passed on from this process's own environment to a service that gets no socket.
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
    if (this.#listen) {
      env.LISTEN_FDS = '1';
      env.LISTEN_FDNAMES = this.#listen.name;
    }
    if (o.liveness.heartbeatTimeoutMs > 0) env.SVC_WATCHDOG_MS = String(o.liveness.heartbeatTimeoutMs);
    if (o.readiness.type === 'notify' || o.liveness.heartbeatTimeoutMs > 0) {
      this.#notify ??= await createNotifySocket(join(o.runDir, `${this.#base}.notify.sock`), (message) => {
        // One instance per Supervisor: lines with or without MAINPID belong to the current run.
        if (this.#run && !this.#run.exited) this.#onNotify(this.#run, message);
      });
      env.SVC_NOTIFY_SOCKET = this.#notify.path;
    }
    if (o.ipc && this.#hasLiveness()) {
      // Lets a hung Node service write a diagnostic report on SIGUSR2 before it is killed.
      const reports = join(o.logDir, 'reports');
      ensurePrivateDir(reports);
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${reports}`.trim();
    }
    return env;
  }

  #hasLiveness(): boolean {
    return this.options.liveness.heartbeatTimeoutMs > 0 || this.options.liveness.http !== null;
  }

  #pipe(run: Run, stream: LogStream, readable: Readable | null): void {
    if (!readable) return;
    const log = this.#logs[stream];
    readable.setEncoding('utf8');
    const emitLine = (line: string) => {
      if (stream === 'stderr' && this.options.logs.stderrTailLines > 0) {
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > this.options.logs.stderrTailLines) this.#stderrTail.shift();
      }
      this.#recent[stream].push(line);
      if (this.listenerCount('log') > 0) this.emit('log', { stream, line });
      if (!log.writeLine(line)) readable.pause();
    };
    const onDrain = () => readable.resume();
    log.on('drain', onDrain);
    readable.on('data', (chunk: string) => run.splitters[stream].push(chunk, emitLine));
    readable.on('end', () => run.splitters[stream].end(emitLine));
    readable.on('close', () => log.off('drain', onDrain));
    readable.on('error', () => {
      // The pipe broke with the child: the lines already read are logged, nothing else is lost.
    });
  }

  // ---- readiness and liveness ----------------------------------------------------------------

  #awaitReadiness(run: Run): void {
    const r = this.options.readiness;
    if (r.type === 'none') {
      this.#onReady(run);
      return;
    }
    this.#timer(run, r.timeoutMs, () => {
      if (run.readyAt === null && !run.exited) {
        this.#record('liveness-failed', { pid: run.pid, check: 'readiness', timeoutMs: r.timeoutMs });
        void this.#terminate(run, 'start-timeout');
      }
    });
    if (r.type === 'http' || r.type === 'tcp') {
      const poll = async () => {
        if (run.exited || run.readyAt !== null || run.cause !== null) return;
        const ok =
          r.type === 'http' ? await probeHttp(r.url!, Math.max(r.intervalMs, 1000)) : await probeTcp(r.host, r.port!, Math.max(r.intervalMs, 1000));
        if (ok) this.#onReady(run);
        else this.#timer(run, r.intervalMs, () => void poll());
      };
      void poll();
    }
  }

  #onNotify(run: Run, message: NotifyMessage): void {
    if (run.exited) return;
    switch (message.kind) {
      case 'ready':
        if (this.options.readiness.type === 'notify') this.#onReady(run);
        break;
      case 'watchdog':
        run.lastHeartbeat = this.options.now();
        break;
      case 'status':
        this.#status = message.text;
        this.#record('status', { pid: run.pid, text: message.text });
        break;
      case 'stopping':
      case 'mainpid':
        break;
    }
  }

  #onReady(run: Run): void {
    if (run.readyAt !== null || run.exited || run.cause !== null || run !== this.#run) return;
    const o = this.options;
    run.readyAt = o.now();
    run.lastHeartbeat = run.readyAt;
    this.#record('ready', { pid: run.pid, startupMs: Math.round(run.readyAt - run.spawnedAt) });
    this.#setState('running', 'ready');
    this.#resolveWaiters();
    if (o.liveness.heartbeatTimeoutMs > 0) {
      const check = () => {
        if (run.exited || run.cause !== null) return;
        const silentMs = o.now() - run.lastHeartbeat;
        if (silentMs >= o.liveness.heartbeatTimeoutMs) {
          this.#record('liveness-failed', { pid: run.pid, check: 'heartbeat', silentMs: Math.round(silentMs), timeoutMs: o.liveness.heartbeatTimeoutMs });
          void this.#hungRestart(run);
        } else {
          this.#timer(run, o.liveness.heartbeatTimeoutMs - silentMs + 1, check);
        }
      };
      this.#timer(run, o.liveness.heartbeatTimeoutMs, check);
    }
    if (o.liveness.http !== null) {
      const url = o.liveness.http;
      const probe = async () => {
        if (run.exited || run.cause !== null) return;
        const ok = await probeHttp(url, o.liveness.probeTimeoutMs);
        if (run.exited || run.cause !== null) return;
        run.probeFailures = ok ? 0 : run.probeFailures + 1;
        if (run.probeFailures >= o.liveness.failureThreshold) {
          this.#record('liveness-failed', { pid: run.pid, check: 'http', url, failures: run.probeFailures });
          void this.#hungRestart(run);
        } else {
          this.#timer(run, o.liveness.intervalMs, () => void probe());
        }
      };
      this.#timer(run, o.liveness.intervalMs, () => void probe());
    }
  }

  /** Asks a Node child for a diagnostic report (kept in logDir/reports), then restarts it. */
  async #hungRestart(run: Run): Promise<void> {
    if (run.cause !== null || run.exited) return;
    run.cause = 'liveness';
    if (this.options.ipc && process.platform !== 'win32') {
      const dir = join(this.options.logDir, 'reports');
      const before = new Set(safeList(dir));
      signalPid(run.pid, 'SIGUSR2');
      const deadline = this.options.now() + this.options.liveness.reportTimeoutMs;
      let report: string | null = null;
      while (report === null && !run.exited && this.options.now() < deadline) {
        await delay(50);
        report = safeList(dir).find((f) => !before.has(f) && f.endsWith('.json')) ?? null;
      }
      if (report !== null) this.#record('report', { pid: run.pid, path: join(dir, report) });
    }
    run.cause = null;
    await this.#terminate(run, 'liveness');
  }

  // ---- limits --------------------------------------------------------------------------------

  #startSampler(): void {
    if (this.#sampler || !hasProc) return;
    this.#sampler = setInterval(() => this.#sample(), this.options.limits.sampleIntervalMs);
    this.#sampler.unref();
  }

  #stopSampler(): void {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
  }

  #sample(): void {
    const run = this.#run;
    if (!run || run.exited) return;
    const o = this.options;
    // Every tenth sample lists all of /proc and looks for the instance's marker, to find
    // double-forked daemons that left the tree before the guard knew them; the others only
    // walk the tree's own /proc entries, so an idle daemon costs next to nothing.
    const members = this.#scan(run, ++run.samples % 10 === 0 ? 'full' : 'walk');
    const now = o.now();
    let rss = 0;
    let ticks = 0;
    for (const p of members) {
      rss += readRssBytes(p.pid);
      ticks += p.cpuTicks;
    }
    this.#memoryBytes = rss;
    this.#processes = members.length;
    if (run.lastCpu) {
      const seconds = (now - run.lastCpu.at) / 1000;
      // A child that exited between samples takes its ticks with it: never report negative.
      this.#cpuPercent = seconds > 0 ? Math.max(0, Math.round(((ticks - run.lastCpu.ticks) / CLOCK_TICKS_PER_SECOND / seconds) * 1000) / 10) : 0;
    }
    run.lastCpu = { ticks, at: now };
    if (run.cause !== null) return;
    const { memoryBytes, cpuPercent, windowMs } = o.limits;
    if (memoryBytes > 0) {
      run.overMemorySince = rss > memoryBytes ? (run.overMemorySince ?? now) : null;
      if (run.overMemorySince !== null && now - run.overMemorySince >= windowMs) {
        this.#record('limit-exceeded', { pid: run.pid, limit: 'memory', memoryBytes: rss, limitBytes: memoryBytes });
        void this.#terminate(run, 'limit');
        return;
      }
    }
    if (cpuPercent > 0 && this.#cpuPercent !== null) {
      run.overCpuSince = this.#cpuPercent > cpuPercent ? (run.overCpuSince ?? now) : null;
      if (run.overCpuSince !== null && now - run.overCpuSince >= windowMs) {
        this.#record('limit-exceeded', { pid: run.pid, limit: 'cpu', cpuPercent: this.#cpuPercent, limitPercent: cpuPercent });
        void this.#terminate(run, 'limit');
      }
    }
  }

  /** The instance's live processes; remembers them so they are found again after reparenting. */
  #scan(run: Run, mode: 'full' | 'walk'): ProcInfo[] {
    if (!hasProc) return [];
    const members = (mode === 'walk' ? walkTree(run.pid, run.startTicks, run.known) : scanTree(run.pid, run.startTicks, run.known, run.marker)).filter(
      (p) => p.state !== 'Z',
    );
    for (const p of members) {
      run.known.set(p.pid, p.startTicks);
      if (p.pgid !== run.pid && !run.guarded.has(p.pid)) {
        run.guarded.add(p.pid);
        this.#guard?.addPid(p.pid);
      }
    }
    return members;
  }

  // ---- stopping ------------------------------------------------------------------------------

  /**
   * The stop sequence: the stop signal to the process group and to every descendant that left
   * it, the shutdown message to a Node child, then after stop.timeout SIGKILL to all of them.
   */
  #terminate(run: Run, cause: TerminateCause): Promise<void> {
    if (run.terminating) return run.terminating;
    run.cause = cause;
    const o = this.options;
    if (this.#state === 'starting' || this.#state === 'running') this.#setState('stopping', cause);
    const startedAt = o.now();
    // A lost lease may be re-granted elsewhere within marginMs: no time for a graceful stop.
    this.#signalTree(run, cause === 'lease' ? 'SIGKILL' : o.stop.signal);
    if (run.child.connected) {
      try {
        run.child.send({ svc: 'shutdown' });
      } catch {
        // The channel closed between the check and the send: the signal above still stands.
      }
    }
    run.terminating = new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => {
        if (!run.exited) {
          this.#record('killed', { pid: run.pid, afterMs: Math.round(o.now() - startedAt), signal: 'SIGKILL' });
          this.#signalTree(run, 'SIGKILL');
        }
      }, o.stop.timeoutMs);
      void run.finished.then(() => {
        clearTimeout(killTimer);
        resolve();
      });
    });
    return run.terminating;
  }

  #signalTree(run: Run, signal: NodeJS.Signals): void {
    const members = run.exited ? [] : this.#scan(run, 'full');
    signalGroup(run.pid, signal);
    for (const p of members) if (p.pgid !== run.pid) signalPid(p.pid, signal);
    if (run.exited) for (const p of this.#scan(run, 'full')) signalPid(p.pid, signal);
  }

  /**
   * After the main process exited: whatever it left behind (its group, escaped descendants) gets
   * the stop signal and, if still alive at the deadline, SIGKILL — a restart never finds the
   * old instance's children holding its port.
   */
  async #sweep(run: Run): Promise<void> {
    const o = this.options;
    const alive = () => {
      const members = this.#scan(run, 'full');
      return members.length > 0 || (!hasProc && groupAlive(run.pid));
    };
    if (!alive()) return;
    const deadline = o.now() + o.stop.timeoutMs;
    this.#signalTree(run, run.cause === 'lease' ? 'SIGKILL' : o.stop.signal);
    while (alive()) {
      if (o.now() >= deadline) {
        this.#record('killed', { pid: run.pid, leftovers: true, signal: 'SIGKILL' });
        this.#signalTree(run, 'SIGKILL');
        for (let i = 0; i < 100 && alive(); i++) await delay(20);
        return;
      }
      await delay(25);
    }
  }

  // ---- exit and the restart decision ---------------------------------------------------------

  #onExit(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    run.exited = true;
    run.exit = { code, signal };
    for (const timer of run.timers) clearTimeout(timer);
    run.timers.clear();
    void this.#afterExit(run, code, signal);
  }

  async #afterExit(run: Run, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const o = this.options;
    const now = o.now();
    const phase = run.readyAt === null ? 'start' : 'run';
    const requested = run.cause === 'stop' || !this.#wanted;
    const leaseLost = run.cause === 'lease';
    const cause = run.cause === 'stop' || run.cause === 'lease' ? null : run.cause;
    const reason: ExitReason = classifyExit({ code, signal, cause }, o.restart.neverRestartExitCodes);
    this.#lastExit = { code, signal, at: new Date().toISOString(), reason: requested ? 'stop' : leaseLost ? 'lease-lost' : reason, phase };
    const uptimeMs = run.readyAt === null ? 0 : Math.round(now - run.readyAt);
    this.#record('exited', { pid: run.pid, code, signal, reason: this.#lastExit.reason, phase, uptimeMs });
    if (!requested && !leaseLost && reason !== 'clean') {
      if (phase === 'start') this.#counts.startFailures++;
      else this.#counts.crashes++;
      this.#setState('crashed', `${phase === 'start' ? 'start failure' : 'crash'}: ${reason}`);
    }
    await this.#sweep(run);
    this.#guard?.removeGroup(run.pid);
    for (const pid of run.guarded) this.#guard?.removePid(pid);
    if (this.#run === run) {
      this.#stopSampler();
      this.#memoryBytes = null;
      this.#cpuPercent = null;
      this.#processes = null;
    }
    this.#decide(run, requested, reason, phase, uptimeMs);
    run.finish();
  }

  #decide(run: Run, requested: boolean, reason: ExitReason, phase: 'start' | 'run', uptimeMs: number): void {
    const o = this.options;
    if (this.#run !== run) return;
    if (requested) {
      this.#setState('stopped', 'stopped');
      return;
    }
    if (o.lock && this.#lease === null) {
      // Killed for a lost lease, or it ended while the lease was being lost: wait for it again.
      if (!this.#closed) this.#seekLease('lease lost');
      return;
    }
    if (reason === 'never-restart-code') {
      this.#giveUp(`exit code ${run.exit?.code} is in restart.neverRestartExitCodes`, reason);
      return;
    }
    if (!shouldRestart(o.restart.policy, reason)) {
      void this.#dropLease();
      if (reason === 'clean') {
        this.#setState('stopped', 'exited cleanly');
        this.#rejectWaiters(this.#startError('exited cleanly before it was ready'));
      } else {
        this.#setState('crashed', `restart policy ${o.restart.policy}`);
        this.#rejectWaiters(this.#startError(`${reason}, restart policy ${o.restart.policy}`));
      }
      return;
    }
    if (this.#crashLoop.isExhausted) {
      const what = phase === 'start' ? 'failed to start' : 'crashed';
      this.#giveUp(`${what} ${this.#crashLoop.recentStarts} times within ${o.restart.crashLoop.windowMs} ms (restart.crashLoop)`, 'crash-loop');
      return;
    }
    if (uptimeMs >= o.restart.resetAfterMs) this.#attempt = 0;
    this.#attempt++;
    const delayMs = backoffDelayMs(this.#attempt, o.restart, o.random);
    this.#record('restarting', { delayMs, attempt: this.#attempt, reason });
    this.#setState('backoff', `restarting in ${delayMs} ms`);
    this.#backoffUntil = o.now() + delayMs;
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = null;
      if (this.#state === 'backoff' && this.#wanted && !this.#closed) void this.#spawn();
    }, delayMs);
  }

  #giveUp(reason: string, kind: string): void {
    this.#failure = reason;
    this.#wanted = false;
    void this.#dropLease();
    this.#record('gave-up', { reason, kind, stderrTail: this.stderrTail });
    this.#setState('failed', reason);
    this.#rejectWaiters(this.#startError(reason));
  }

  #startError(reason: string): StartFailedError {
    const exit = this.#lastExit ? { code: this.#lastExit.code, signal: this.#lastExit.signal } : null;
    return new StartFailedError(this.options.name, this.#state, reason, exit, this.stderrTail);
  }

  #cancelBackoff(): void {
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    this.#backoffTimer = null;
    this.#backoffUntil = null;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  #timer(run: Run, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      run.timers.delete(timer);
      fn();
    }, ms);
    run.timers.add(timer);
  }

  #setState(to: SupervisorState, reason: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#record('state', { from, to, reason });
    this.emit('state', { from, to, reason });
  }

  #record(type: SupervisorEventType, fields: Record<string, unknown>): void {
    const event: SupervisorEvent = { time: new Date().toISOString(), service: this.options.name, instance: this.options.instance, type, ...fields };
    const line = JSON.stringify(event);
    if (!this.#closed) this.#eventLog.writeLine(line);
    this.#recent.events.push(line);
    this.emit('event', event);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
  } catch {
    // ESRCH: the group is already empty, which is what we want.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone between the scan and the signal.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM means a member exists that we may not signal; ESRCH means the group is empty.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // No reports directory yet: no report written.
    return [];
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Supervisor's own log files: `<name>[.<instance>].{out,err}.log` and `.events.jsonl` in `logDir`. */
export function openServiceLogs(o: Pick<ResolvedSupervisorOptions, 'logDir' | 'logs'>, base: string): SupervisorLogs {
  const logOptions = { maxSizeBytes: o.logs.maxSizeBytes, maxFiles: o.logs.maxFiles, maxBufferBytes: o.logs.maxBufferBytes };
  const opened: RotatingLog[] = [];
  try {
    for (const suffix of ['out.log', 'err.log', 'events.jsonl']) opened.push(new RotatingLog({ path: join(o.logDir, `${base}.${suffix}`), ...logOptions }));
  } catch (error) {
    for (const log of opened) void log.close();
    throw error;
  }
  return { stdout: opened[0]!, stderr: opened[1]!, events: opened[2]! };
}
