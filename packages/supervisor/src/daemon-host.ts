import { EventEmitter } from 'node:events';
import { isAbsolute } from 'node:path';
import { acquireLock, isLockError, type LockHandle } from '@svc/lock';
import type { HistorySource } from './daemon-history.js';
import { ADHOC_PROJECT, forgetGuardReports, guardReportFile, projectDirs, serviceLockName, type DaemonPaths, type ProjectRef } from './daemon-paths.js';
import type { DaemonRow } from './daemon-state.js';
import { checkServiceDefinition, type ServiceDefinition } from './definition.js';
import { DEFAULTS, SERVICE_LOCK_TIMING } from './defaults.js';
import { InvalidOptionsError, LeftoverProcessesError, ServiceLockedError, UnknownServiceError } from './errors.js';
import { leftoverNote, leftoversOf, stillLeftover, stopLeftovers, unendedOf, type UnendedProcess } from './leftovers.js';
import type { SupervisorEvent } from './events.js';
import type { OrphanGuard } from './orphan-guard.js';
import { RecentOutput } from './recent-lines.js';
import { Service, type ReloadResult, type ServiceOptions } from './service.js';
import { keptAfterExit } from './states.js';
import { sameListen } from './service-options.js';

/** A service of a project: what every admin call names. */
export interface ServiceTarget {
  project: ProjectRef;
  service: string;
}

/** How to run a service: its definition and the environment it inherits (the defining call's). */
export interface ServiceSpec {
  definition: ServiceDefinition;
  /** The environment of the call that defined it; null or absent: the daemon's own. */
  environment?: Record<string, string> | null;
}

export interface StopResult {
  /** Something ran (or was about to) and was stopped; false when it had already ended. */
  wasActive: boolean;
  /** The service's rows as it ended; it is no longer listed after this. */
  rows: DaemonRow[];
  /** Processes a dead daemon had left running for it, ended by this stop. */
  leftoversStopped?: number[];
}

export type ExportedService = ServiceTarget & ServiceSpec;
/** What `svc describe` is told of a hosted service: its definition, not the environment it was started with. */
export type HostedDefinition = ServiceTarget & { definition: ServiceSpec['definition'] };

interface Hosted {
  readonly key: string;
  readonly project: ProjectRef;
  readonly name: string;
  readonly service: Service;
  /** Its output as `logs -f` starts from it: the last lines with their times and instances. */
  readonly output: RecentOutput;
  spec: ServiceSpec;
  lock: LockHandle | null;
  locking: Promise<void> | null;
  releasing: Promise<void> | null;
  /** Start calls under way: a service being started is never replaced under them. */
  starting: number;
}

const keyOf = (project: string, name: string) => `${project}\u0000${name}`;

/**
 * The services a daemon hosts, by (project, name): creates each Service from its definition,
 * holds its lock while it is active, replaces a settled one when a new definition comes, forgets
 * one on stop, and keeps the rows of services that ended badly (failed, crashed, or whose daemon
 * died) until they are stopped or started again. Emits `changed` after anything that changes
 * what `rows()` says, and every service's events with their project.
 */
export class ServiceHost extends EventEmitter<{ changed: []; event: [SupervisorEvent & { project: string }]; removed: [string] }> {
  readonly #hosted = new Map<string, Hosted>();
  readonly #kept = new Map<string, DaemonRow[]>();
  /** Per dead daemon's pid: the processes it left, by service name (as found when this host began). */
  readonly #leftovers = new Map<number, Map<string, number[]>>();
  /** Adding, replacing and removing an entry happen one at a time per key. */
  readonly #mutations = new Map<string, Promise<unknown>>();

  constructor(
    private readonly paths: DaemonPaths,
    /** The daemon's orphan guard (spawned at its first use). */
    private readonly guard: () => OrphanGuard,
    kept: readonly DaemonRow[],
  ) {
    super();
    // A daemon that died may have left processes its guard could not end: found once, here, by
    // its marker; then named in status, refused a second copy, and ended by a stop.
    const dead = new Set(kept.map((row) => row.deadDaemonPid).filter((p) => p !== undefined));
    for (const pid of dead) this.#leftovers.set(pid, leftoversOf(pid));
    forgetGuardReports(paths, dead);
    for (const row of kept) {
      const key = keyOf(row.project.id, row.name);
      this.#kept.set(key, [...(this.#kept.get(key) ?? []), row]);
    }
  }

  /** The Service hosting a target; throws EUNKNOWN_SERVICE naming what the project has. */
  service(target: ServiceTarget): Service {
    return this.#get(target).service;
  }

  /** The last output lines of a hosted service, kept for `logs`; throws EUNKNOWN_SERVICE like `service`. */
  output(target: ServiceTarget): RecentOutput {
    return this.#get(target).output;
  }

  has(target: ServiceTarget): boolean {
    return this.#hosted.has(keyOf(target.project.id, target.service));
  }

  /** A hosted service by its project's id (a caller that knows no config path); EUNKNOWN_SERVICE like `service`. */
  serviceOf(projectId: string, name: string): Service {
    const project = [...this.#hosted.values()].find((h) => h.project.id === projectId)?.project;
    if (!project) throw new UnknownServiceError(name, [], projectId === ADHOC_PROJECT ? 'the ad-hoc project' : `project ${projectId}`);
    return this.service({ project, service: name });
  }

  /** Every hosted service (settled ones included) with its rows: what the daemon's history samples. */
  sources(): HistorySource[] {
    return [...this.#hosted.values()].map((h) => ({ project: h.project.id, service: h.name, stats: () => h.service.stats() }));
  }

  async start(target: ServiceTarget, spec?: ServiceSpec): Promise<DaemonRow[]> {
    const key = keyOf(target.project.id, target.service);
    // Its previous run's processes still live: a start would be a second copy.
    const left = this.#leftoversOf(key, target.service);
    if (left.length > 0) throw new LeftoverProcessesError(target.service, left, this.#kept.get(key)![0]!.deadDaemonPid!);
    const hosted = await this.#mutate(key, async () => {
      let current = this.#hosted.get(key);
      // A settled service started with a definition is started as that definition says now.
      if (current && spec && current.service.isSettled && current.starting === 0) {
        await this.#dispose(current);
        current = undefined;
      }
      if (!current) {
        if (!spec) throw this.#unknown(target);
        current = this.#add(target, spec);
      }
      this.#kept.delete(key);
      current.starting++;
      return current;
    });
    try {
      await this.#lock(hosted);
      await hosted.service.start();
    } finally {
      hosted.starting--;
      this.#settledCheck(hosted);
    }
    return this.#rowsOf(target);
  }

  async stop(target: ServiceTarget): Promise<StopResult> {
    const key = keyOf(target.project.id, target.service);
    const hosted = this.#hosted.get(key);
    if (!hosted) {
      const kept = this.#kept.get(key);
      if (!kept) throw this.#unknown(target);
      const left = this.#leftoversOf(key, target.service);
      if (left.length > 0) {
        const gone = await stopLeftovers(left, kept[0]!.deadDaemonPid!, DEFAULTS.stop.timeoutMs);
        this.#kept.delete(key);
        this.emit('changed');
        return { wasActive: true, rows: kept, leftoversStopped: gone };
      }
      this.#kept.delete(key);
      this.emit('changed');
      return { wasActive: false, rows: kept };
    }
    const wasActive = !hosted.service.isSettled;
    await hosted.service.stop();
    const rows = this.#rowsOf(target);
    await this.#mutate(key, () => this.#dispose(hosted));
    return { wasActive, rows };
  }

  /** Stop and start again; with a spec, as it says (a changed `listen` rebinds the socket). */
  async restart(target: ServiceTarget, spec?: ServiceSpec): Promise<DaemonRow[]> {
    const hosted = this.#get(target);
    if (spec && !sameListen(checkServiceDefinition(target.service, spec.definition).listen, hosted.service.listenOptions)) {
      await hosted.service.stop();
      await this.#mutate(hosted.key, () => this.#dispose(hosted));
      return this.start(target, spec);
    }
    await this.#lock(hosted);
    await hosted.service.restart(spec ? this.#options(target, spec) : undefined);
    if (spec) hosted.spec = spec;
    return this.#rowsOf(target);
  }

  async reload(target: ServiceTarget, spec?: ServiceSpec): Promise<ReloadResult & { rows: DaemonRow[] }> {
    const hosted = this.#get(target);
    await this.#lock(hosted);
    const result = await hosted.service.reload(spec ? this.#options(target, spec) : undefined);
    if (spec) hosted.spec = spec;
    return { ...result, rows: this.#rowsOf(target) };
  }

  async scale(target: ServiceTarget, instances: number): Promise<DaemonRow[]> {
    const hosted = this.#get(target);
    const wasSettled = hosted.service.isSettled;
    await hosted.service.scale(instances);
    if (wasSettled) {
      await this.#lock(hosted);
      await hosted.service.start();
    }
    return this.#rowsOf(target);
  }

  /** Instance rows of every hosted service (or those matching), then the kept rows. */
  rows(filter: { project?: string; service?: string } = {}): DaemonRow[] {
    return this.#rows(filter, true);
  }

  /** `noteLeftovers`: say in a kept row's failure which of its processes still run (not kept on disk). */
  #rows(filter: { project?: string; service?: string }, noteLeftovers: boolean): DaemonRow[] {
    const { project, service } = filter;
    const match = (p: string, n: string) => (project === undefined || p === project) && (service === undefined || n === service);
    const rows: DaemonRow[] = [];
    for (const hosted of this.#hosted.values()) {
      if (match(hosted.project.id, hosted.name)) rows.push(...hosted.service.stats().map((row) => ({ ...row, project: hosted.project })));
    }
    for (const [key, kept] of this.#kept) {
      if (!match(kept[0]!.project.id, kept[0]!.name)) continue;
      const left = noteLeftovers ? this.#leftoversOf(key, kept[0]!.name) : [];
      const unended = noteLeftovers ? this.#unendedOf(key, kept[0]!.name) : [];
      rows.push(...(left.length + unended.length === 0 ? kept : kept.map((row) => ({ ...row, failure: `${row.failure ?? 'supervisor died'}; ${leftoverNote(row.name, left, unended)}` }))));
    }
    return rows;
  }

  /** What a daemon that exits keeps: the rows of services that failed or crashed. */
  finalRows(): DaemonRow[] {
    return this.#rows({}, false).filter((row) => keptAfterExit(row.service.state) || keptAfterExit(row.state));
  }

  /** Nothing runs nor will by itself (kept rows are history, not work). */
  get isIdle(): boolean {
    return [...this.#hosted.values()].every((h) => h.starting === 0 && h.service.isSettled);
  }

  /** The definitions of the services hosted (settled ones included), without their callers' environments. */
  definitions(filter: { project?: string; service?: string } = {}): HostedDefinition[] {
    const { project, service } = filter;
    return [...this.#hosted.values()]
      .filter((h) => (project === undefined || h.project.id === project) && (service === undefined || h.name === service))
      .map((h) => ({ project: h.project, service: h.name, definition: h.spec.definition }));
  }

  /** The services that are active, with what it takes to start them again elsewhere. */
  exported(): ExportedService[] {
    return [...this.#hosted.values()].filter((h) => !h.service.isSettled).map((h) => ({ project: h.project, service: h.name, ...h.spec }));
  }

  /** The active services (for SIGHUP). */
  active(): ServiceTarget[] {
    return [...this.#hosted.values()].filter((h) => !h.service.isSettled).map((h) => ({ project: h.project, service: h.name }));
  }

  /** Stops every service gracefully and releases everything. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#hosted.values()].map((h) => h.service.close()));
    await Promise.allSettled([...this.#hosted.values()].map((h) => this.#unlock(h)));
  }

  // ---- internals -----------------------------------------------------------------------------

  #rowsOf(target: ServiceTarget): DaemonRow[] {
    return this.rows({ project: target.project.id, service: target.service });
  }

  /** What a hosted service was started with: its definition and its caller's environment. */
  specOf(target: ServiceTarget): ServiceSpec {
    return this.#get(target).spec;
  }

  #get(target: ServiceTarget): Hosted {
    const hosted = this.#hosted.get(keyOf(target.project.id, target.service));
    if (!hosted) throw this.#unknown(target);
    return hosted;
  }

  /** The live leftovers of a kept service (one a dead daemon left), by its name. */
  #leftoversOf(key: string, name: string): number[] {
    const dead = this.#kept.get(key)?.[0]?.deadDaemonPid;
    const pids = dead === undefined ? undefined : this.#leftovers.get(dead)?.get(name);
    return pids ? stillLeftover(pids, dead!) : [];
  }

  /** Those of a kept service's processes its dead daemon's guard could not end that still live. */
  #unendedOf(key: string, name: string): UnendedProcess[] {
    const dead = this.#kept.get(key)?.[0]?.deadDaemonPid;
    return dead === undefined ? [] : (unendedOf(guardReportFile(this.paths, dead)).get(name) ?? []);
  }

  #unknown(target: ServiceTarget): UnknownServiceError {
    const known = [...this.#hosted.values()].filter((h) => h.project.id === target.project.id).map((h) => h.name);
    return new UnknownServiceError(target.service, known, target.project.config ?? 'the ad-hoc project');
  }

  #options(target: ServiceTarget, spec: ServiceSpec): ServiceOptions {
    checkServiceDefinition(target.service, spec.definition);
    const cwd = spec.definition.cwd;
    if (typeof cwd !== 'string' || !isAbsolute(cwd)) {
      throw new InvalidOptionsError('cwd', cwd, 'an absolute path: the daemon runs services of many directories and has none of its own');
    }
    const dirs = projectDirs(this.paths, target.project.id);
    // dependsOn is the project's order of starts (the caller's): the Service runs one service.
    const { dependsOn: _project, ...definition } = spec.definition;
    return { ...definition, name: target.service, logDir: dirs.logDir, runDir: dirs.runDir, orphanGuard: this.guard(), ...(spec.environment ? { baseEnv: spec.environment } : {}) };
  }

  #add(target: ServiceTarget, spec: ServiceSpec): Hosted {
    const service = new Service(this.#options(target, spec));
    const output = new RecentOutput();
    const hosted: Hosted = { key: keyOf(target.project.id, target.service), project: target.project, name: target.service, service, output, spec, lock: null, locking: null, releasing: null, starting: 0 };
    this.#hosted.set(hosted.key, hosted);
    service.on('state', () => this.emit('changed'));
    service.on('settled', () => this.#settledCheck(hosted));
    service.on('event', (event) => this.emit('event', { ...event, project: target.project.id }));
    // The time its log file keeps, when the line's event carries it; else the time it got here, in
    // the same tick as the pipe's read.
    service.on('log', (l) => output.push({ stream: l.stream, line: l.line, instance: l.instance, time: l.time ?? new Date().toISOString() }));
    this.emit('changed');
    return hosted;
  }

  #settledCheck(hosted: Hosted): void {
    if (hosted.starting === 0 && hosted.service.isSettled) void this.#unlock(hosted).finally(() => this.emit('changed'));
    else this.emit('changed');
  }

  async #dispose(hosted: Hosted): Promise<void> {
    if (this.#hosted.get(hosted.key) !== hosted) return;
    this.#hosted.delete(hosted.key);
    await hosted.service.close();
    await this.#unlock(hosted);
    this.emit('removed', hosted.key);
    this.emit('changed');
  }

  async #mutate<T>(key: string, change: () => Promise<T>): Promise<T> {
    const before = this.#mutations.get(key) ?? Promise.resolve();
    const run = before.then(change, change);
    const settled = run.catch(() => undefined);
    this.#mutations.set(key, settled);
    void settled.then(() => {
      if (this.#mutations.get(key) === settled) this.#mutations.delete(key);
    });
    return run;
  }

  /** Takes the service's lock (once; concurrent callers share the acquisition). */
  async #lock(hosted: Hosted): Promise<void> {
    if (hosted.lock) return;
    hosted.locking ??= (async () => {
      try {
        // A release still under way (the service settled a moment ago) must end before the new take.
        await hosted.releasing;
        hosted.lock = await acquireLock({
          name: serviceLockName(hosted.project.id, hosted.name),
          dir: this.paths.lockDir,
          ...SERVICE_LOCK_TIMING,
          metadata: { project: hosted.project.id, config: hosted.project.config, service: hosted.name, socket: this.paths.socketPath },
          // Removed under it (the state directory cleaned by hand): taken again while the service runs.
          onCompromised: () => {
            hosted.lock = null;
            if (hosted.service.isSettled) return;
            this.#lock(hosted).catch((error: unknown) => process.stderr.write(`svc daemon: the lock of ${hosted.name} was removed and cannot be taken again: ${(error as Error).message}\n`));
          },
        });
      } catch (error) {
        if (isLockError(error) && error.code === 'ELOCKED') throw new ServiceLockedError(hosted.name, (error as { holder?: unknown }).holder ?? null, error);
        throw error;
      } finally {
        hosted.locking = null;
      }
    })();
    await hosted.locking;
  }

  async #unlock(hosted: Hosted): Promise<void> {
    const lock = hosted.lock;
    hosted.lock = null;
    if (!lock) return hosted.releasing ?? undefined;
    hosted.releasing = lock.release().finally(() => {
      hosted.releasing = null;
    });
    await hosted.releasing;
  }
}
