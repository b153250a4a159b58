import { statSync } from 'node:fs';
import { acquireLock, isLockError, type LockHandle } from '@svc/lock';
import { createIpcServer, type IpcServer } from '@svc/ipc';
import { ServiceHost, type ExportedService, type ServiceSpec, type ServiceTarget, type StopResult } from './daemon-host.js';
import { HandoffStarts } from './daemon-handoff.js';
import { DaemonHistory, resolveHistoryOptions, type HistoryOptions } from './daemon-history.js';
import { daemonMethods, type DaemonApi, type HelloResult } from './daemon-methods.js';
import { daemonPaths, guardReportFile, type DaemonPaths } from './daemon-paths.js';
import { readDaemonState, rowsAfterDaemon, writeDaemonState, type DaemonRow } from './daemon-state.js';
import { ClosedError, DaemonLockedError, InvalidOptionsError } from './errors.js';
import type { SupervisorEvent } from './events.js';
import { serveLogs } from './log-serve.js';
import { DaemonMetrics, serveMetrics, type MetricsListen } from './daemon-metrics.js';
import { readDaemonSettings } from './daemon-settings.js';
import { MemoryTrimmer } from './memory-trim.js';
import { MAX_DURATION_MS } from './units.js';
import { isObject } from './option-checks.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import type { ReloadResult, Service } from './service.js';
import { DAEMON_PROTOCOL, SUPERVISOR_VERSION } from './version.js';

export const DAEMON_DEFAULTS = {
  handleSignals: true,
  exitWhenIdle: true,
  /** How long a daemon that hosts nothing yet (just spawned, or with only old failures) waits for work. */
  idleGraceMs: 5_000,
  /** State-file writes are grouped: at most one per this many ms. */
  stateWriteDelayMs: 50,
  /** How often the daemon checks that its socket file is still there (a cleaner may remove the run directory). */
  socketCheckMs: 1_000,
  /** How long the outcome of a start handed over at spawn waits for its client's start call. */
  handoffKeepMs: 60_000,
  /** How often the daemon gives the memory its allocator keeps back to the system (memory-trim.ts); 0: never. */
  trimMemoryEveryMs: 60_000,
} as const;

export interface DaemonOptions {
  /** Environment for the default directories (SVC_HOME, XDG_*). */
  env?: Record<string, string | undefined>;
  runDir?: string;
  stateDir?: string;
  /** SIGTERM/SIGINT: graceful stop of everything, then `done`; SIGHUP: reload every active service. */
  handleSignals?: boolean;
  /** Close once nothing runs nor will by itself. */
  exitWhenIdle?: boolean;
  idleGraceMs?: number;
  /** Services to start as the daemon starts (what `svc run` and a unit at login ask for). */
  initial?: ExportedService[];
  /** Extra fields for the daemon lock's record, which anyone may read (`readLock`): no secrets. */
  lockMetadata?: Record<string, string | number | boolean | null>;
  /**
   * On SIGHUP, each active service's definition as its source says now (a foreground daemon reads
   * the config file again): null keeps the one it runs. A throw (a file that became invalid)
   * leaves that service running as it is, and is written to stderr naming why.
   */
  currentDefinition?: (target: ServiceTarget) => Promise<ServiceSpec['definition'] | null>;
  /**
   * A start handed over by the client that spawned this daemon (what it wrote on the daemon's
   * stdin, `parseHandoff`; null or empty: none): begun as soon as the lock is held, before the
   * socket serves; that client's `start` call with the same token collects its outcome.
   */
  handoff?: Promise<string | null>;
  /** Serve the metrics over HTTP there (null: not); default: the settings file's `metrics.listen` (daemon-settings.ts). */
  metrics?: MetricsListen | null;
  /**
   * Each definition a caller sends (start, restart, reload) as this daemon runs it: a daemon of
   * installed services leaves `watch` off for those not installed with `--watch`, whoever asks.
   */
  admit?: (target: ServiceTarget, definition: ServiceSpec['definition']) => ServiceSpec['definition'];
  /** How often each hosted instance's CPU and memory is sampled for `history`, and for how long kept; default HISTORY_DEFAULTS. */
  history?: HistoryOptions;
  /** How often free memory glibc keeps is given back (`malloc_trim`, Linux); 0: never. Default DAEMON_DEFAULTS.trimMemoryEveryMs. */
  trimMemoryEveryMs?: number;
}

export interface Daemon {
  readonly pid: number;
  readonly version: string;
  readonly paths: DaemonPaths;
  readonly socketPath: string;
  /** Resolves once the daemon has stopped its services, written its state, released its lock. */
  readonly done: Promise<void>;
  /** The initial services' starts, each with its error (null: it runs). */
  readonly initialStarts: Promise<Array<{ target: ServiceTarget; error: Error | null }>>;
  service(target: ServiceTarget): Service;
  start(target: ServiceTarget, spec?: ServiceSpec): Promise<DaemonRow[]>;
  stop(target: ServiceTarget): Promise<StopResult>;
  restart(target: ServiceTarget, spec?: ServiceSpec): Promise<DaemonRow[]>;
  reload(target: ServiceTarget, spec?: ServiceSpec): Promise<ReloadResult & { rows: DaemonRow[] }>;
  scale(target: ServiceTarget, instances: number): Promise<DaemonRow[]>;
  status(filter?: { project?: string; service?: string }): DaemonRow[];
  /** Graceful stop of every service, then release and close. Idempotent. */
  close(): Promise<void>;
}

function checkOptions(options: DaemonOptions): void {
  if (!isObject(options)) throw new InvalidOptionsError('options', options, 'an object');
  for (const key of ['handleSignals', 'exitWhenIdle'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new InvalidOptionsError(key, options[key], 'true or false');
  }
  const ms = (key: 'idleGraceMs' | 'trimMemoryEveryMs', expected: string) => {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DURATION_MS)) throw new InvalidOptionsError(key, value, expected);
  };
  ms('idleGraceMs', 'an integer number of ms');
  ms('trimMemoryEveryMs', 'an integer number of ms (0: never)');
  if (options.admit !== undefined && typeof options.admit !== 'function') throw new InvalidOptionsError('admit', options.admit, 'a function');
  if (options.initial !== undefined && !Array.isArray(options.initial)) throw new InvalidOptionsError('initial', options.initial, 'an array of services');
  if (options.lockMetadata !== undefined && (!isObject(options.lockMetadata) || !Object.values(options.lockMetadata).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)))) {
    throw new InvalidOptionsError('lockMetadata', options.lockMetadata, 'an object of plain values');
  }
  if (options.currentDefinition !== undefined && typeof options.currentDefinition !== 'function') throw new InvalidOptionsError('currentDefinition', options.currentDefinition, 'a function');
}

/**
 * The per-user supervisor daemon: one per SVC_HOME (it holds the lock `svc-daemon`), hosting the
 * services of every project — each config file, and the ad-hoc project — behind one admin socket.
 * Every service process is covered by one orphan guard, so a SIGKILLed daemon leaves nothing behind
 * (orphan-guard.ts). What it hosts is kept in a state file, so that `svc status` can say what a
 * dead daemon left and a new daemon still shows what failed before it.
 */
export async function createDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  checkOptions(options);
  const historyOptions = resolveHistoryOptions(options.history);
  // An invalid settings file is refused before anything else: the daemon does not start.
  const metricsListen = options.metrics !== undefined ? options.metrics : readDaemonSettings(options.env ?? process.env).metrics;
  const paths = daemonPaths(options.env ?? process.env, { ...(options.runDir ? { runDir: options.runDir } : {}), ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
  let lock: LockHandle;
  // Its lock removed under it (the state directory cleaned by hand): taken again at once, so that
  // a daemon started meanwhile finds it held (the lock's heartbeat notices within 2 s).
  const lockOptions = {
    name: paths.lockName,
    dir: paths.lockDir,
    metadata: { ...options.lockMetadata, socket: paths.socketPath, version: SUPERVISOR_VERSION, protocol: DAEMON_PROTOCOL },
    onCompromised: () => void retakeLock(),
  };
  const retakeLock = async () => {
    if (closing) return;
    try {
      lock = await acquireLock(lockOptions);
      process.stderr.write(`svc daemon: its lock in ${paths.lockDir} was removed; taken again\n`);
    } catch (error) {
      process.stderr.write(`svc daemon: its lock in ${paths.lockDir} was removed and cannot be taken again: ${(error as Error).message}\n`);
    }
  };
  try {
    lock = await acquireLock(lockOptions);
  } catch (error) {
    if (isLockError(error) && error.code === 'ELOCKED') throw new DaemonLockedError((error as { holder?: unknown }).holder ?? null, error);
    throw error;
  }
  // Taking the lock never yielded to the event loop: one turn lets a handed-over start that has
  // arrived meanwhile be read, so that it begins below, before the socket is set up.
  if (options.handoff) await new Promise((resolve) => setImmediate(resolve));
  const previous = readDaemonState(paths.stateFile);
  if (previous.problem) process.emitWarning(previous.problem);
  // The orphan guard's process is spawned once the socket serves (spawning blocks for ≈ 10 ms,
  // which would otherwise delay the first answer), or by the first service start if that is sooner:
  // it exists before any service process does.
  let guard: OrphanGuard | null = null;
  const orphanGuard = (): OrphanGuard => (guard ??= createOrphanGuard({ reportFile: guardReportFile(paths, process.pid) }));
  const host = new ServiceHost(paths, orphanGuard, previous.state ? rowsAfterDaemon(previous.state) : []);
  const memoryTrim = new MemoryTrimmer(options.trimMemoryEveryMs ?? DAEMON_DEFAULTS.trimMemoryEveryMs);
  const metrics = new DaemonMetrics(host, SUPERVISOR_VERSION, memoryTrim);
  const history = new DaemonHistory(() => host.sources(), historyOptions);
  const startedAt = new Date().toISOString();
  const exitWhenIdle = options.exitWhenIdle ?? DAEMON_DEFAULTS.exitWhenIdle;
  const handleSignals = options.handleSignals ?? DAEMON_DEFAULTS.handleSignals;
  const initial = options.initial ?? [];
  let closing: Promise<void> | null = null;
  // Set once the socket serves; close() may come before.
  const timers: { socketCheck?: NodeJS.Timeout } = {};
  let hostedAny = initial.length > 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const writeState = (exited: boolean, finalRows?: DaemonRow[]) => {
    try {
      const rows = exited ? (finalRows ?? host.finalRows()) : host.rows();
      writeDaemonState(paths.stateFile, { version: 1, pid: process.pid, daemonVersion: SUPERVISOR_VERSION, startedAt, updatedAt: new Date().toISOString(), exited, rows });
    } catch (error) {
      // A full or read-only disk: supervision goes on; only what a later `svc status` can tell is older.
      process.stderr.write(`svc daemon: cannot write ${paths.stateFile}: ${(error as Error).message}\n`);
    }
  };
  let writeTimer: NodeJS.Timeout | null = null;
  const scheduleWrite = () => {
    writeTimer ??= setTimeout(() => {
      writeTimer = null;
      if (!closing) writeState(false);
    }, DAEMON_DEFAULTS.stateWriteDelayMs);
  };

  // Control calls being answered: the daemon never exits under one (its answer would be lost).
  let calls = 0;
  const idleGrace = setTimeout(() => {
    if (exitWhenIdle && host.isIdle && calls === 0 && !closing) void close();
  }, options.idleGraceMs ?? DAEMON_DEFAULTS.idleGraceMs);
  const idle = () => hostedAny && host.isIdle && calls === 0 && !closing;
  const checkIdle = () => {
    if (exitWhenIdle && idle()) setImmediate(() => idle() && void close());
  };
  host.on('changed', () => {
    scheduleWrite();
    if (!host.isIdle) hostedAny = true;
    checkIdle();
  });
  /** A control call: refused once the daemon is closing (`open`), counted while it is answered. */
  const tracked = async <T>(work: () => Promise<T>, open = true): Promise<T> => {
    if (open && closing) throw new ClosedError('the svc daemon (it is exiting: ask again once it has)');
    calls++;
    hostedAny = true;
    try {
      return await work();
    } finally {
      calls--;
      checkIdle();
    }
  };
  const admitted = (target: ServiceTarget, spec: ServiceSpec | undefined): ServiceSpec | undefined =>
    spec && options.admit ? { ...spec, definition: options.admit(target, spec.definition) } : spec;
  // A start handed over at spawn begins now (at the next await: before the socket serves).
  const handoffs = new HandoffStarts(options.handoff ?? Promise.resolve(null), (target, spec) => (closing ? Promise.reject(new ClosedError('the svc daemon')) : tracked(() => host.start(target, spec))), DAEMON_DEFAULTS.handoffKeepMs);
  const api: DaemonApi = {
    hello: (): HelloResult => ({ version: SUPERVISOR_VERSION, protocol: DAEMON_PROTOCOL, pid: process.pid, startedAt, socket: paths.socketPath }),
    start: (target, spec, token) =>
      tracked(async () => (token === undefined ? null : await handoffs.collect(token, target)) ?? host.start(target, admitted(target, spec))),
    stop: (target) => tracked(() => host.stop(target), false),
    restart: (target, spec) => tracked(() => host.restart(target, admitted(target, spec))),
    reload: (target, spec) => tracked(() => host.reload(target, admitted(target, spec))),
    scale: (target, instances) => tracked(() => host.scale(target, instances)),
    status: (filter) => host.rows(filter),
    metrics: () => ({ text: metrics.format(host.rows()), http: metricsHttp }),
    exported: () => host.exported(),
    definitions: (filter) => host.definitions(filter),
    shutdown: ({ ifIdle = false }) => {
      // ifIdle: a daemon a client spawned for a start that then did not happen (an invalid config);
      // declined when anything came to it meanwhile. It is no control call itself.
      if (ifIdle && (!host.isIdle || calls > 0 || closing)) return Promise.resolve({ stopped: 0, declined: true as const });
      const stopped = host.active().length;
      void close();
      return Promise.resolve({ stopped });
    },
    logs: (target, options, emit, ctx) => serveLogs(host, target, options, emit, ctx),
    events: (filter, emit) => {
      const onEvent = (event: SupervisorEvent & { project: string }) => {
        if ((filter.project === undefined || event.project === filter.project) && (filter.service === undefined || event.service === filter.service)) emit(event);
      };
      host.on('event', onEvent);
      return () => host.off('event', onEvent);
    },
    history: (filter) => history.history(filter),
    note: ({ project, service, action, by }) =>
      tracked(async () => {
        // Through the Service's journal: in its event log after every earlier event, in the recent
        // events a later follow starts from, and to whoever follows it now; answered once written.
        const hosted = host.serviceOf(project, service);
        hosted.record('requested', { action, by });
        await hosted.flushLogs();
        return { recorded: true as const };
      }),
  };

  let server: IpcServer;
  try {
    server = await createIpcServer({ path: paths.socketPath, methods: daemonMethods(api) });
  } catch (error) {
    clearTimeout(idleGrace);
    await lock.release();
    throw error;
  }
  writeState(false);
  history.start();
  setImmediate(() => {
    if (!closing) orphanGuard();
  });
  // Over HTTP when configured; a port that cannot be had leaves supervision as it is, and says so.
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  let metricsHttp: { listen: MetricsListen; url: string | null; error: string | null } | null = null;
  if (metricsListen) {
    metricsHttp = { listen: metricsListen, url: null, error: null };
    try {
      metricsServer = await serveMetrics(metricsListen, () => metrics.format(host.rows()));
      metricsHttp.url = metricsServer.url;
    } catch (error) {
      metricsHttp.error = `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${(error as Error).message}`;
      process.stderr.write(`svc daemon: metrics not served on ${metricsListen.host}:${metricsListen.port}: ${metricsHttp.error}\n`);
    }
  }

  // The run directory may be removed under the daemon (tmpfiles, a logout): the lock is elsewhere
  // (the state directory), so no second daemon starts; the socket is put back here, and a client
  // that found none waits for it while the lock is held (daemon-client.ts).
  const socketIdentity = () => {
    const st = statSync(paths.socketPath, { throwIfNoEntry: false });
    return st ? `${st.dev}:${st.ino}` : null;
  };
  let boundSocket = socketIdentity();
  let relistening = false;
  const socketCheck = setInterval(() => {
    if (closing || relistening || socketIdentity() === boundSocket) return;
    relistening = true;
    server
      .relisten()
      .then(() => {
        boundSocket = socketIdentity();
        process.stderr.write(`svc daemon: ${paths.socketPath} was removed; listening there again\n`);
      })
      .catch((error: unknown) => process.stderr.write(`svc daemon: cannot listen on ${paths.socketPath} again: ${(error as Error).message}\n`))
      .finally(() => (relistening = false));
  }, DAEMON_DEFAULTS.socketCheckMs);
  socketCheck.unref();
  timers.socketCheck = socketCheck;

  const onTerm = () => void close();
  const onHup = () => {
    for (const target of host.active()) {
      void (async () => {
        let spec: ServiceSpec | undefined;
        if (options.currentDefinition) {
          try {
            const definition = await options.currentDefinition(target);
            if (definition) spec = { definition, environment: host.specOf(target).environment };
          } catch (error) {
            process.stderr.write(`svc daemon: SIGHUP: ${target.service} keeps running as it was: ${(error as Error).message}\n`);
            return;
          }
        }
        await host.reload(target, spec);
      })().catch(() => {
        // The failure is in the service's state, stats and event log; the daemon keeps serving.
      });
    }
  };
  if (handleSignals) {
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onTerm);
    process.on('SIGHUP', onHup);
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      clearTimeout(idleGrace);
      clearInterval(timers.socketCheck);
      memoryTrim.stop();
      history.close();
      if (handleSignals) {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
        process.off('SIGHUP', onHup);
      }
      // What ended for good without being asked (failed, crashed and not restarted) is taken before
      // closing: closing stops every service, which would make a crashed one look stopped.
      const finalRows = host.finalRows();
      await host.closeAll();
      if (writeTimer) clearTimeout(writeTimer);
      writeState(true, finalRows);
      await server.close();
      await metricsServer?.close();
      metrics.close();
      // The guard's process is gone before the lock: a daemon that is gone leaves nothing behind.
      await guard?.close();
      await lock.release();
      resolveDone();
    })();
    return closing;
  }

  const initialStarts = Promise.all(
    initial.map(async ({ project, service, definition, environment }) => {
      const target = { project, service };
      try {
        await host.start(target, { definition, environment: environment ?? null });
        return { target, error: null };
      } catch (error) {
        return { target, error: error as Error };
      }
    }),
  );

  return {
    pid: process.pid,
    version: SUPERVISOR_VERSION,
    paths,
    socketPath: paths.socketPath,
    done,
    initialStarts,
    service: (target) => host.service(target),
    start: api.start,
    stop: api.stop,
    restart: api.restart,
    reload: api.reload,
    scale: api.scale,
    status: (filter = {}) => host.rows(filter),
    close,
  };
}
