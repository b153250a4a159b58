import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildChildEnv } from './child-env.js';
import { InvalidOptionsError, isSupervisorError } from './errors.js';
import type { LogStream, SupervisorEventType } from './events.js';
import type { Journal } from './journal.js';
import { captureReport, watchLiveness } from './liveness.js';
import { ensurePrivateDir } from './log-file.js';
import { createNotifySocket, parseIpcMessage, type NotifyMessage, type NotifySocket } from './notify-socket.js';
import type { OrphanGuard } from './orphan-guard.js';
import type { ResolvedSupervisorOptions } from './options.js';
import { hasProc } from './proc-tree.js';
import { awaitReadiness } from './readiness.js';
import type { ResourceSample } from './resource-sampler.js';
import type { Run, TerminateCause } from './run.js';
import { spawnRun } from './spawn-child.js';

/** What the runner tells its Supervisor, which owns the states. */
export interface RunnerHooks {
  record(type: SupervisorEventType, fields: Record<string, unknown>): void;
  line(stream: LogStream, line: string): void;
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
  #notify: NotifySocket | null = null;
  #sampler: NodeJS.Timeout | null = null;
  #current: Run | null = null;
  /** The current run's readiness: READY=1 goes there (it adds the start window). */
  #readiness: { ready: () => void } | null = null;
  #runs = 0;
  /** The last STATUS= the service sent. */
  status: string | null = null;
  /** The current run's resources, from the last sample; null when nothing runs. */
  resources: ResourceSample | null = null;
  /** When `resources` was sampled (`now()` ms). */
  #sampledAt = 0;

  readonly #notifyPath: string;

  /** `base` names the notify socket: `<runDir>/<base>.notify.sock` (created with runDir, 0700). */
  constructor(
    private readonly o: ResolvedSupervisorOptions,
    private readonly context: { base: string; listen: { fd: number; name: string; adoptPort: number | null } | null; guard: OrphanGuard | null; journal: Journal },
    private readonly hooks: RunnerHooks,
  ) {
    this.#notifyPath = join(o.runDir, `${context.base}.notify.sock`);
    // sun_path is 108 bytes on Linux, 104 on macOS.
    if (Buffer.byteLength(this.#notifyPath) > 103) throw new InvalidOptionsError('runDir', o.runDir, `a shorter path: the notify socket ${this.#notifyPath} exceeds 103 bytes`);
    ensurePrivateDir(o.runDir);
  }

  /** Builds the environment (reading the env file) and spawns; the failure says which stage. */
  async spawn(fencingToken: bigint | null): Promise<SpawnResult> {
    const o = this.o;
    let env: Record<string, string>;
    try {
      const notify = o.readiness.type === 'notify' || o.liveness.heartbeatTimeoutMs > 0;
      if (notify) {
        // Its file removed meanwhile (a cleaner of the run directory): made again, for this run to reach.
        if (this.#notify && !existsSync(this.#notifyPath)) {
          await this.#notify.close();
          this.#notify = null;
          ensurePrivateDir(o.runDir);
        }
        this.#notify ??= await createNotifySocket(this.#notifyPath, (message) => this.#current && this.#onNotify(this.#current, message));
      }
      const reportsDir = o.ipc && (o.liveness.heartbeatTimeoutMs > 0 || o.liveness.http !== null) ? join(o.logDir, 'reports') : null;
      if (reportsDir) ensurePrivateDir(reportsDir);
      env = buildChildEnv(o, { fencingToken, listenName: this.context.listen?.name ?? null, adoptPort: this.context.listen?.adoptPort ?? null, notifySocket: notify ? this.#notifyPath : null, reportsDir });
    } catch (error) {
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
        line: (stream, line) => this.hooks.line(stream, line),
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
    if (!spawned.ok) return { ok: false, stage: 'spawn', reason: `cannot spawn ${o.command}: ${spawned.error.message}` };
    this.#current = spawned.run;
    return { ok: true, run: spawned.run };
  }

  /** The run is the Supervisor's current one now: sample it and wait for it to be ready. */
  begin(run: Run): void {
    this.#startSampler();
    this.#readiness = awaitReadiness(this.o.readiness, run, this.o.now, {
      ready: () => this.hooks.ready(run),
      timedOut: () => {
        this.hooks.record('liveness-failed', { pid: run.pid, check: 'readiness', timeoutMs: this.o.readiness.timeoutMs });
        void this.#end(run, 'start-timeout');
      },
    });
  }

  /** Once the Supervisor counted the run ready: watch its heartbeat and HTTP probe. */
  watch(run: Run): void {
    watchLiveness(this.o.liveness, run, this.o.now, (failure) => {
      this.hooks.record('liveness-failed', { pid: run.pid, ...failure });
      void this.#hungRestart(run);
    });
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
    if (this.#current !== run) return;
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
    this.resources = null;
  }

  async close(): Promise<void> {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
    await this.#notify?.close();
    this.#notify = null;
  }

  #end(run: Run, cause: TerminateCause): Promise<void> {
    if (!run.terminating) this.hooks.ending(run, cause);
    return this.terminate(run, cause);
  }

  #onNotify(run: Run, message: NotifyMessage): void {
    if (run.exited) return;
    if (message.kind === 'ready' && this.o.readiness.type === 'notify' && run === this.#current) this.#readiness?.ready();
    else if (message.kind === 'watchdog') run.lastHeartbeat = this.o.now();
    else if (message.kind === 'status') {
      this.status = message.text;
      this.hooks.record('status', { pid: run.pid, text: message.text });
    }
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
