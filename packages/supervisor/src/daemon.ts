import { join } from 'node:path';
import { acquireLock, isLockError, resolveRunDir, resolveStateDir, type LockHandle } from '@svc/lock';
import { createIpcServer, defineMethods, callMethod, subscribeMethod, type IpcServer } from '@svc/ipc';
import {
  ClosedError,
  DaemonLockedError,
  InvalidOptionsError,
  ServiceLockedError,
  UnknownServiceError,
} from './errors.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import type { LogStream, SupervisorEvent, SupervisorState } from './supervisor.js';
import { Service, type InstanceStats, type ReloadResult, type ServiceOptions } from './service.js';
import { formatMetrics } from './metrics.js';

/** A service as a config file declares it: everything but where its files go. */
export type ServiceDefinition = Omit<ServiceOptions, 'name' | 'logDir' | 'runDir' | 'orphanGuard'>;

export const DAEMON_DEFAULTS = {
  autostart: 'all' as 'all' | 'none',
  handleSignals: true,
  exitWhenIdle: true,
  tailLines: 100,
} as const;

export interface DaemonOptions {
  /** Names the daemon's lock (`svc-daemon-<id>`) and socket (`<runDir>/<id>.sock`): a config id or an ad-hoc service name. */
  id: string;
  services: Record<string, ServiceDefinition>;
  /** Start every service at once (`all`) or only on request (`none`). */
  autostart?: 'all' | 'none';
  /** Install SIGTERM/SIGINT (graceful stop, then `done`) and SIGHUP (reload of every active service) handlers. */
  handleSignals?: boolean;
  /** Close the daemon when no service is active any more. */
  exitWhenIdle?: boolean;
  /** Environment for the default directories (SVC_HOME, XDG_*). */
  env?: Record<string, string | undefined>;
  /** Extra fields for the daemon lock's record, which anyone may read (`readLock`): no secrets. */
  lockMetadata?: Record<string, string | number | boolean | null>;
  runDir?: string;
  stateDir?: string;
}

export interface Daemon {
  readonly id: string;
  readonly socketPath: string;
  readonly pid: number;
  /** Resolves once the daemon has stopped its services, released its locks and closed its socket. */
  readonly done: Promise<void>;
  service(name: string): Service;
  start(name: string): Promise<InstanceStats[]>;
  stop(name: string): Promise<InstanceStats[]>;
  restart(name: string): Promise<InstanceStats[]>;
  /** Zero-downtime replace of the service's instances (restart, with a warning, without `listen`). */
  reload(name: string, definition?: ServiceDefinition): Promise<ReloadResult & { stats: InstanceStats[] }>;
  /** Changes the number of instances of a service; starts it with that many when it is not running. */
  scale(name: string, instances: number): Promise<InstanceStats[]>;
  /** One row per instance. */
  status(name?: string): InstanceStats[];
  /** Graceful stop of every service, then release and close. Idempotent. */
  close(): Promise<void>;
}

const ACTIVE: readonly SupervisorState[] = ['standby', 'starting', 'running', 'stopping', 'backoff', 'crashed'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function serviceParam(params: unknown): { service: string } {
  const service = (params as { service?: unknown } | null)?.service;
  if (typeof service !== 'string') throw new Error('expected { service: string }');
  return { service };
}

function optionalService(params: unknown): { service: string | null } {
  const service = (params as { service?: unknown } | null)?.service;
  if (service !== undefined && typeof service !== 'string') throw new Error('expected { service?: string }');
  return { service: service ?? null };
}

function reloadParams(params: unknown): { service: string; definition: ServiceDefinition | undefined } {
  const { service } = serviceParam(params);
  const definition = (params as { definition?: unknown }).definition;
  if (definition !== undefined && (typeof definition !== 'object' || definition === null || Array.isArray(definition))) {
    throw new Error('expected { service: string, definition?: object }');
  }
  return { service, definition: definition as ServiceDefinition | undefined };
}

function scaleParams(params: unknown): { service: string; instances: number } {
  const { service } = serviceParam(params);
  const instances = (params as { instances?: unknown }).instances;
  if (typeof instances !== 'number' || !Number.isInteger(instances)) throw new Error('expected { service: string, instances: integer }');
  return { service, instances };
}

function logsParams(params: unknown): { service: string; stream: LogStream | 'events'; lines: number; follow: boolean } {
  const { service } = serviceParam(params);
  const p = params as { stream?: unknown; lines?: unknown; follow?: unknown };
  const stream = p.stream ?? 'stdout';
  if (stream !== 'stdout' && stream !== 'stderr' && stream !== 'events') throw new Error('expected stream: "stdout" | "stderr" | "events"');
  const lines = p.lines ?? DAEMON_DEFAULTS.tailLines;
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 0 || lines > 100_000) throw new Error('expected lines: an integer 0-100000');
  const follow = p.follow ?? false;
  if (typeof follow !== 'boolean') throw new Error('expected follow: boolean');
  return { service, stream, lines, follow };
}

/**
 * The supervisor daemon: hosts the Supervisors of one config (or one ad-hoc service), holds the
 * daemon lock and one lock per running service, and serves the admin socket. `svc run` awaits
 * `done`. Every child is covered by one shared orphan guard, so a SIGKILLed daemon leaves no
 * service behind (see orphan-guard.ts for the mechanism and its limits).
 */
export async function createDaemon(options: DaemonOptions): Promise<Daemon> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('options', options, 'an object');
  if (typeof options.id !== 'string' || !ID.test(options.id)) throw new InvalidOptionsError('id', options.id, 'a name of letters, digits, ".", "_", "-"');
  if (typeof options.services !== 'object' || options.services === null || Object.keys(options.services).length === 0) {
    throw new InvalidOptionsError('services', options.services, 'an object with at least one service definition');
  }
  const autostart = options.autostart ?? DAEMON_DEFAULTS.autostart;
  if (options.lockMetadata !== undefined && (typeof options.lockMetadata !== 'object' || options.lockMetadata === null || Array.isArray(options.lockMetadata))) {
    throw new InvalidOptionsError('lockMetadata', options.lockMetadata, 'an object of plain values');
  }
  if (autostart !== 'all' && autostart !== 'none') throw new InvalidOptionsError('autostart', autostart, '"all" or "none"');
  const env = options.env ?? process.env;
  const runDir = options.runDir ?? resolveRunDir(env);
  const stateDir = options.stateDir ?? resolveStateDir(env);
  const socketPath = join(runDir, `${options.id}.sock`);

  let daemonLock: LockHandle;
  try {
    daemonLock = await acquireLock({
      name: `svc-daemon-${options.id}`,
      dir: runDir,
      metadata: { ...options.lockMetadata, socket: socketPath, services: Object.keys(options.services) },
    });
  } catch (error) {
    if (isLockError(error) && error.code === 'ELOCKED') throw new DaemonLockedError(options.id, (error as { holder?: unknown }).holder ?? null, error);
    throw error;
  }

  const guard: OrphanGuard = createOrphanGuard();
  const supervisors = new Map<string, Service>();
  const serviceLocks = new Map<string, LockHandle>();
  let closing: Promise<void> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  // A service's full options: its definition, and where the daemon keeps its files.
  const serviceOptions = (name: string, definition: ServiceDefinition): ServiceOptions => ({
    ...definition,
    name,
    logDir: join(stateDir, 'logs', options.id),
    runDir: join(runDir, options.id),
    orphanGuard: guard,
  });

  try {
    for (const [name, definition] of Object.entries(options.services)) supervisors.set(name, new Service(serviceOptions(name, definition)));
  } catch (error) {
    await Promise.allSettled([...supervisors.values()].map((s) => s.close()));
    guard.close();
    await daemonLock.release();
    throw error;
  }

  const get = (name: string): Service => {
    const sup = supervisors.get(name);
    if (!sup) throw new UnknownServiceError(name, [...supervisors.keys()]);
    return sup;
  };

  // Two requests for one service at once (an early start and the CLI's) share one acquisition.
  const locking = new Map<string, Promise<void>>();
  const lockService = async (name: string): Promise<void> => {
    if (serviceLocks.has(name)) return;
    const pending = locking.get(name);
    if (pending) return pending;
    const acquiring = (async () => {
      try {
        serviceLocks.set(name, await acquireLock({ name: `svc-service-${name}`, dir: runDir, metadata: { daemon: options.id, socket: socketPath } }));
      } catch (error) {
        if (isLockError(error) && error.code === 'ELOCKED') throw new ServiceLockedError(name, (error as { holder?: unknown }).holder ?? null, error);
        throw error;
      } finally {
        locking.delete(name);
      }
    })();
    locking.set(name, acquiring);
    return acquiring;
  };

  const unlockIfInactive = async (name: string): Promise<void> => {
    const sup = supervisors.get(name);
    const lock = serviceLocks.get(name);
    if (!sup || !lock || ACTIVE.includes(sup.state)) return;
    serviceLocks.delete(name);
    await lock.release();
  };

  const checkIdle = (): void => {
    if (closing || options.exitWhenIdle === false) return;
    if ([...supervisors.values()].some((s) => ACTIVE.includes(s.state))) return;
    void close();
  };

  for (const [name, sup] of supervisors) {
    sup.on('state', ({ to }) => {
      if (!ACTIVE.includes(to)) {
        void unlockIfInactive(name).then(() => setImmediate(checkIdle));
      }
    });
  }

  const assertOpen = () => {
    if (closing) throw new ClosedError(`daemon ${options.id}`);
  };

  const start = async (name: string): Promise<InstanceStats[]> => {
    assertOpen();
    const sup = get(name);
    await lockService(name);
    await sup.start();
    return sup.stats();
  };
  const stop = async (name: string): Promise<InstanceStats[]> => {
    const sup = get(name);
    await sup.stop();
    return sup.stats();
  };
  const restart = async (name: string): Promise<InstanceStats[]> => {
    assertOpen();
    const sup = get(name);
    await lockService(name);
    await sup.restart();
    return sup.stats();
  };
  const reload = async (name: string, definition?: ServiceDefinition): Promise<ReloadResult & { stats: InstanceStats[] }> => {
    assertOpen();
    const sup = get(name);
    await lockService(name);
    const result = await sup.reload(definition === undefined ? undefined : serviceOptions(name, definition));
    return { ...result, stats: sup.stats() };
  };
  const scale = async (name: string, instances: number): Promise<InstanceStats[]> => {
    assertOpen();
    const sup = get(name);
    const wasActive = ACTIVE.includes(sup.state);
    await sup.scale(instances);
    if (!wasActive) {
      await lockService(name);
      await sup.start();
    }
    return sup.stats();
  };
  const status = (name?: string): InstanceStats[] => (name === undefined ? [...supervisors.values()] : [get(name)]).flatMap((s) => s.stats());

  const methods = defineMethods({
    start: callMethod({ validate: serviceParam, handle: ({ service }) => start(service) }),
    stop: callMethod({ validate: serviceParam, handle: ({ service }) => stop(service) }),
    restart: callMethod({ validate: serviceParam, handle: ({ service }) => restart(service) }),
    reload: callMethod({ validate: reloadParams, handle: ({ service, definition }) => reload(service, definition) }),
    scale: callMethod({ validate: scaleParams, handle: ({ service, instances }) => scale(service, instances) }),
    status: callMethod({ validate: optionalService, handle: ({ service }) => status(service ?? undefined) }),
    metrics: callMethod({ validate: optionalService, handle: ({ service }) => ({ text: formatMetrics(status(service ?? undefined)) }) }),
    logs: subscribeMethod({
      validate: logsParams,
      subscribe: async ({ service, stream, lines, follow }, emit: (event: { stream: string; line: string }) => boolean, ctx) => {
        const sup = get(service);
        if (!follow) {
          // History: what is on disk once the writer has caught up, across a rotation.
          await sup.flushLogs();
          for (const line of sup.tail(stream, lines)) emit({ stream, line });
          setImmediate(() => ctx.end());
          return () => undefined;
        }
        // Follow: the tail from memory and the subscription below happen in the same tick, so
        // they meet exactly — no line lost in the writer's buffer, none sent twice.
        for (const line of sup.recent(stream, lines)) emit({ stream, line });
        if (stream === 'events') {
          const onEvent = (event: SupervisorEvent) => void emit({ stream, line: JSON.stringify(event) });
          sup.on('event', onEvent);
          return () => sup.off('event', onEvent);
        }
        const onLog = (l: { stream: LogStream; line: string }) => {
          if (l.stream === stream) emit({ stream, line: l.line });
        };
        sup.on('log', onLog);
        return () => sup.off('log', onLog);
      },
    }),
    events: subscribeMethod({
      validate: optionalService,
      subscribe: ({ service }, emit: (event: SupervisorEvent) => boolean) => {
        const targets = service === null ? [...supervisors.values()] : [get(service)];
        const onEvent = (event: SupervisorEvent) => void emit(event);
        for (const sup of targets) sup.on('event', onEvent);
        return () => {
          for (const sup of targets) sup.off('event', onEvent);
        };
      },
    }),
  });

  let server: IpcServer;
  try {
    server = await createIpcServer({ path: socketPath, methods });
  } catch (error) {
    await Promise.allSettled([...supervisors.values()].map((s) => s.close()));
    guard.close();
    await daemonLock.release();
    throw error;
  }

  const onTerm = () => void close();
  const onHup = () => {
    for (const [name, sup] of supervisors) {
      if (ACTIVE.includes(sup.state)) {
        reload(name).catch(() => {
          // The failure is in the service's state, stats and event log; the daemon keeps serving.
        });
      }
    }
  };
  const handleSignals = options.handleSignals ?? DAEMON_DEFAULTS.handleSignals;
  if (handleSignals) {
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onTerm);
    process.on('SIGHUP', onHup);
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      if (handleSignals) {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
        process.off('SIGHUP', onHup);
      }
      await Promise.allSettled([...supervisors.values()].map((s) => s.close()));
      await server.close();
      await Promise.allSettled([...serviceLocks.values()].map((l) => l.release()));
      serviceLocks.clear();
      guard.close();
      await daemonLock.release();
      resolveDone();
    })();
    return closing;
  }

  const daemon: Daemon = { id: options.id, socketPath, pid: process.pid, done, service: get, start, stop, restart, reload, scale, status, close };

  if (autostart === 'all') {
    const results = await Promise.allSettled([...supervisors.keys()].map((name) => start(name)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure && results.every((r) => r.status === 'rejected')) {
      await close();
      throw failure.reason;
    }
  }
  return daemon;
}
