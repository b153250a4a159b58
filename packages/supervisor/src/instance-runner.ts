import { join } from 'node:path';
import { buildChildEnv } from './child-env.js';
import { InvalidOptionsError, isSupervisorError } from './errors.js';
import type { LogStream, SupervisorEventType } from './events.js';
import type { Journal } from './journal.js';
import { captureReport, watchLiveness, type LivenessFailure } from './liveness.js';
import { ensurePrivateDir } from './log-file.js';
import { NotifyChannels } from './notify-channels.js';
import { dispatchNotify, ignoredDatagram, NotifyNotes, type NotifyContext } from './notify-dispatch.js';
import { parseIpcMessage } from './notify-socket.js';
import type { NotifyMessage } from './notify-vocabulary.js';
import type { OrphanGuard } from './orphan-guard.js';
import type { ResolvedSupervisorOptions } from './options.js';
import { hasProc } from './proc-tree.js';
import { awaitReadiness, type StartWait } from './readiness.js';
import type { ResourceSample } from './resource-sampler.js';
import type { Run, TerminateCause } from './run.js';
import { spawnRun } from './spawn-child.js';

/** What the runner tells its Supervisor, which owns the states. */
export interface RunnerHooks {
  record(type: SupervisorEventType, fields: Record<string, unknown>): void;
  /** `time`: when it was received, as its log file keeps it. */
  line(stream: LogStream, line: string, time: string): void;
  /** The run said it is ready (or readiness is `none`): the Supervisor decides whether it counts. */
  ready(run: Run): void;
  /** The runner is about to end a run on its own (readiness timeout, liveness, limit). */
  ending(run: Run, cause: TerminateCause): void;
  exited(run: Run, code: number | null, signal: NodeJS.Signals | null): void;
}

export type SpawnResult = { ok: true; run: Run } | { ok: false; stage: 'environment' | 'spawn'; reason: string };

/**
 * Runs an instance's processes for a Supervisor: prepares each spawn (notify socket, environment),
 * spawns it (spawn-child.ts), watches it — readiness, the notify vocabulary, liveness once ready,
 * resources and limits — and ends it (run.ts). The Supervisor keeps the states and the decisions.
 */
export class InstanceRunner {
  readonly #channels: NotifyChannels;
  /** What the service said of itself (notify-dispatch.ts): `status` shows it. */
  readonly #notes = new NotifyNotes();
  readonly #notify: NotifyContext;
  #sampler: NodeJS.Timeout | null = null;
  #current: Run | null = null;
  /** The current run's start: READY=1 goes there (it adds the start window), EXTEND_TIMEOUT_USEC= too. */
  #readiness: { run: Run; wait: StartWait } | null = null;
  #runs = 0;
  /** The current run's resources, from the last sample; null when nothing runs. */
  resources: ResourceSample | null = null;
  /** When `resources` was sampled (`now()` ms). */
  #sampledAt = 0;

  /** `base` names the notify sockets: `<runDir>/<base>.notify.sock` and `.dgram.sock` (created with runDir, 0700). */
  constructor(
    private readonly o: ResolvedSupervisorOptions,
    private readonly context: { base: string; listen: { fd: number; name: string; adoptPort: number | null } | null; guard: OrphanGuard | null; journal: Journal },
    private readonly hooks: RunnerHooks,
  ) {
    this.#channels = new NotifyChannels(o.runDir, context.base, {
      line: (message) => this.#current && this.#onNotify(this.#current, message),
      datagram: (run, parsed) => {
        for (const message of parsed.messages) this.#onNotify(run, message);
        if (parsed.problems.length > 0) ignoredDatagram(run, parsed.problems, this.#notes, this.#notify);
      },
      unavailable: (reason) => {
        this.#notes.unavailable = reason;
        this.hooks.record('status', { notify: 'unavailable', reason });
      },
    });
    const path = this.#channels.streamPath;
    // sun_path is 108 bytes on Linux, 104 on macOS.
    if (Buffer.byteLength(path) > 103) throw new InvalidOptionsError('runDir', o.runDir, `a shorter path: the notify socket ${path} exceeds 103 bytes`);
    ensurePrivateDir(o.runDir);
    this.#notify = {
      record: (type, fields) => this.hooks.record(type, fields),
      start: (run) => (this.#readiness?.run === run ? { ...this.#readiness.wait, takesReady: o.readiness.type === 'notify' } : null),
      hung: (run, failure) => this.#failed(run, failure),
      now: o.now,
    };
  }

  /** The service's STATUS= text and what else it said of itself (`svc status`'s health column). */
  get status(): string | null {
    return this.#notes.summary;
  }

  /** Builds the environment (reading the env file) and spawns; the failure says which stage. */
  async spawn(fencingToken: bigint | null): Promise<SpawnResult> {
    const o = this.o;
    let env: Record<string, string>;
    try {
      // Both sockets, as systemd sets NOTIFY_SOCKET for Type=notify and a watchdog: a service that
      // uses neither never pays for loading the datagram library.
      const notify = o.readiness.type === 'notify' || o.liveness.heartbeatTimeoutMs > 0;
      const datagram = notify ? await this.#channels.open() : null;
      if (datagram !== null) this.#notes.unavailable = null;
      const reportsDir = o.ipc && (o.liveness.heartbeatTimeoutMs > 0 || o.liveness.http !== null) ? join(o.logDir, 'reports') : null;
      if (reportsDir) ensurePrivateDir(reportsDir);
      env = buildChildEnv(o, {
        fencingToken,
        listenName: this.context.listen?.name ?? null,
        adoptPort: this.context.listen?.adoptPort ?? null,
        notifySocket: notify ? this.#channels.streamPath : null,
        notifyDatagram: datagram,
        reportsDir,
      });
    } catch (error) {
      await this.#channels.release(null);
      return { ok: false, stage: 'environment', reason: isSupervisorError(error) ? error.message : String(error) };
    }
    const spawned = await spawnRun(
      {
        command: o.command,
        args: o.args,
        cwd: o.cwd,
        env,
        listenFd: this.context.listen?.fd ?? null,
        ipc: o.ipc,
        id: ++this.#runs,
        marker: `SVC_INSTANCE_ID=${env.SVC_INSTANCE_ID}`,
        guard: this.context.guard,
        logs: this.context.journal.logs,
        now: o.now,
        limits: o.limits,
      },
      {
        line: (stream, line, time) => this.hooks.line(stream, line, time),
        message: (run, message) => {
          const parsed = parseIpcMessage(message);
          if (parsed) this.#onNotify(run, parsed);
        },
        exit: (run, code, signal) => {
          run.markExited(code, signal);
          this.hooks.exited(run, code, signal);
        },
      },
    );
    if (!spawned.ok) {
      await this.#channels.release(null);
      return { ok: false, stage: 'spawn', reason: `cannot spawn ${o.command}: ${spawned.error.message}` };
    }
    this.#channels.attach(spawned.run);
    spawned.run.heartbeatTimeoutMs = o.liveness.heartbeatTimeoutMs;
    this.#notes.startRun(spawned.run);
    this.#current = spawned.run;
    return { ok: true, run: spawned.run };
  }

  /** The run is the Supervisor's current one now: sample it and wait for it to be ready. */
  begin(run: Run): void {
    this.#startSampler();
    const timedOut = () => {
      this.hooks.record('liveness-failed', { pid: run.pid, check: 'readiness', timeoutMs: this.o.readiness.timeoutMs });
      void this.#end(run, 'start-timeout');
    };
    // A oneshot is never ready: its exit ends its start (bounded only by a readiness.timeout it sets).
    if (this.o.type === 'oneshot') {
      if (this.o.readiness.timeoutMs > 0) run.timers.set(this.o.readiness.timeoutMs, () => !run.exited && timedOut());
      return;
    }
    this.#readiness = { run, wait: awaitReadiness(this.o.readiness, run, this.o.now, { ready: () => this.hooks.ready(run), timedOut }) };
  }

  /** Once the Supervisor counted the run ready: watch its heartbeat and HTTP probe. */
  watch(run: Run): void {
    watchLiveness(this.o.liveness, run, this.o.now, (failure) => this.#failed(run, failure));
  }

  /** Ends a run: the stop signal to its tree, SIGKILL after stop.timeout; a lost lease gets SIGKILL at once. */
  terminate(run: Run, cause: TerminateCause): Promise<void> {
    return run.terminate(cause, {
      signal: cause === 'lease' ? 'SIGKILL' : this.o.stop.signal,
      timeoutMs: this.o.stop.timeoutMs,
      onKill: (afterMs) => this.hooks.record('killed', { pid: run.pid, afterMs, signal: 'SIGKILL' }),
    });
  }

  /**
   * After the main process exited: whatever it left behind (its group, escaped descendants) gets
   * the stop signal, SIGKILL after stop.timeout (SIGKILL at once for a lost lease) — a restart
   * never finds the old run's children holding its port. Then the run is off the guard's list.
   */
  async settle(run: Run, leaseLost: boolean): Promise<void> {
    await run.tree.sweep({
      signal: leaseLost ? 'SIGKILL' : this.o.stop.signal,
      timeoutMs: this.o.stop.timeoutMs,
      now: this.o.now,
      onKill: () => this.hooks.record('killed', { pid: run.pid, leftovers: true, signal: 'SIGKILL' }),
    });
    run.tree.release();
    await this.#channels.release(run);
    if (this.#current !== run) return;
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
    this.resources = null;
  }

  async close(): Promise<void> {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
    await this.#channels.close();
  }

  #end(run: Run, cause: TerminateCause): Promise<void> {
    if (!run.terminating) this.hooks.ending(run, cause);
    return this.terminate(run, cause);
  }

  #onNotify(run: Run, message: NotifyMessage): void {
    dispatchNotify(run, message, this.#notes, this.#notify);
  }

  /** A liveness check failed (or the service sent WATCHDOG=trigger): recorded once, then the hung restart. */
  #failed(run: Run, failure: LivenessFailure): void {
    if (run.cause !== null || run.exited) return;
    this.hooks.record('liveness-failed', { pid: run.pid, ...failure });
    void this.#hungRestart(run);
  }

  /** Asks a hung Node child for a diagnostic report (kept in logDir/reports), then restarts it. */
  async #hungRestart(run: Run): Promise<void> {
    if (run.cause !== null || run.exited) return;
    run.cause = 'liveness';
    if (this.o.ipc && process.platform !== 'win32') {
      const report = await captureReport(run, join(this.o.logDir, 'reports'), this.o.liveness.reportTimeoutMs, this.o.now);
      if (report !== null) this.hooks.record('report', { pid: run.pid, path: report });
    }
    run.cause = null;
    await this.#end(run, 'liveness');
  }

  /**
   * The current run's resources, sampled now when the last sample is older than the sample
   * interval: without limits nothing samples in the background, and an idle supervisor reads
   * /proc only when someone looks (status, metrics).
   */
  freshResources(): ResourceSample | null {
    const run = this.#current;
    if (!run || run.exited || !hasProc) return this.resources;
    if (this.resources === null || this.o.now() - this.#sampledAt >= this.o.limits.sampleIntervalMs) this.#sample(run);
    return this.resources;
  }

  #sample(run: Run): ReturnType<Run['sample']> {
    const result = run.sample();
    this.resources = result.sample;
    this.#sampledAt = this.o.now();
    return result;
  }

  /** Samples every interval while a memory or CPU limit is set: a breach is seen within its window. */
  #startSampler(): void {
    if (this.#sampler || !hasProc) return;
    if (this.o.limits.memoryBytes === 0 && this.o.limits.cpuPercent === 0) return;
    this.#sampler = setInterval(() => {
      const run = this.#current;
      if (!run || run.exited) return;
      const { breach } = this.#sample(run);
      if (breach) {
        this.hooks.record('limit-exceeded', { pid: run.pid, ...breach });
        void this.#end(run, 'limit');
      }
    }, this.o.limits.sampleIntervalMs);
    this.#sampler.unref();
  }
}
