import { connectIpc, isIpcError, type IpcClient } from '@svc/ipc/client';
import type { ExportedService, ServiceTarget } from './daemon-host.js';
import type { DaemonMethods, HelloResult } from './daemon-methods.js';
import type { DaemonPaths } from './daemon-paths.js';
import { pathsOf, spawnDaemon, type DaemonClientOptions, type SpawnedDaemon } from './daemon-spawn.js';
import { DaemonStartError, DaemonVersionError } from './errors.js';
import { tailLog } from './log-tail.js';
import { SUPERVISOR_VERSION } from './version.js';

/*
 * The daemon's client: finds the per-user daemon (its socket and lock, from daemon-paths.ts),
 * starts it on demand, checks its version, and gives typed calls (the method table's types).
 * Loads neither the daemon nor the supervisor: a command that only talks to the daemon stays light.
 */

export type DaemonClient = IpcClient<DaemonMethods>;
export type { DaemonClientOptions, SpawnedDaemon } from './daemon-spawn.js';
export { daemonEntry, spawnDaemon, spawnDaemonEarly } from './daemon-spawn.js';

export interface DaemonConnection {
  readonly client: DaemonClient;
  readonly hello: HelloResult;
  readonly paths: DaemonPaths;
  /** This process started the daemon. */
  readonly spawned: boolean;
  close(): Promise<void>;
}

export const DAEMON_CLIENT_DEFAULTS = { timeoutMs: 2_000, spawnTimeoutMs: 15_000 } as const;

/** What to tell someone whose client meets a daemon of another version. */
export function versionFix(daemonVersion: string): string {
  return `move its services to ${SUPERVISOR_VERSION} with \`svc daemon restart\` (each restarts once, configs read again), or stop them all with \`svc daemon stop\`; nothing was asked of the ${daemonVersion} daemon`;
}

/** Connects to the running daemon; null when none serves. Throws EDAEMON_VERSION for another version. */
export async function connectDaemon(options: DaemonClientOptions = {}): Promise<DaemonConnection | null> {
  const paths = pathsOf(options);
  let client: DaemonClient;
  try {
    client = await connectIpc<DaemonMethods>(paths.socketPath, { timeoutMs: options.timeoutMs ?? DAEMON_CLIENT_DEFAULTS.timeoutMs });
  } catch (error) {
    if (isIpcError(error) && (error.code === 'EIPC_NOT_RUNNING' || error.code === 'EIPC_CLOSED')) return null;
    throw error;
  }
  let hello: HelloResult;
  try {
    hello = await client.call('hello', null);
  } catch (error) {
    await client.close();
    // A daemon from before `hello` existed cannot say its version: it is another one.
    if (isIpcError(error) && error.code === 'EIPC_UNKNOWN_METHOD') throw new DaemonVersionError('older than 0.2', SUPERVISOR_VERSION, null, versionFix('older'));
    // It closed while we asked (exiting): as good as not running.
    if (isIpcError(error) && error.code === 'EIPC_CLOSED') return null;
    throw error;
  }
  if (hello.version !== SUPERVISOR_VERSION && !options.acceptOtherVersion) {
    await client.close();
    throw new DaemonVersionError(hello.version, SUPERVISOR_VERSION, hello.pid, versionFix(hello.version));
  }
  return { client, hello, paths, spawned: false, close: () => client.close() };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the daemon lock is held. `@svc/lock` loads only here: the common paths never need it. */
async function daemonLockHeld(paths: DaemonPaths): Promise<boolean> {
  const { readLock } = await import('@svc/lock');
  return (await readLock({ name: paths.lockName, dir: paths.lockDir })).state === 'held';
}

/**
 * Connects to the daemon, spawning it first when none serves (`spawned`: one this process
 * already spawned with `spawnDaemonEarly`). Two clients at once may both spawn one: the second
 * loses the daemon lock and exits, and its client waits for the winner.
 */
export async function ensureDaemon(options: DaemonClientOptions = {}, spawned: SpawnedDaemon | null = null): Promise<DaemonConnection> {
  const existing = await connectDaemon(options);
  if (existing) return spawned ? { ...existing, spawned: existing.hello.pid === spawned.pid } : existing;
  const paths = pathsOf(options);
  const watch = spawned ?? spawnDaemon(options);
  const timeoutMs = options.spawnTimeoutMs ?? DAEMON_CLIENT_DEFAULTS.spawnTimeoutMs;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const connection = await connectDaemon(options);
    if (connection) return { ...connection, spawned: connection.hello.pid === watch.pid };
    const tail = () => tailLog(paths.logFile, 20);
    // Another client's daemon may have won the lock: wait for it while it holds the lock and boots.
    if (watch.exited && !(await daemonLockHeld(paths))) {
      const { code, signal } = watch.exited;
      throw new DaemonStartError(`it exited before it served (${signal ?? `code ${code}`})`, paths.logFile, tail());
    }
    if (performance.now() > deadline) throw new DaemonStartError(`it did not answer on ${paths.socketPath} within ${timeoutMs} ms`, paths.logFile, tail());
    await pause(10);
  }
}

/**
 * Undoes `spawnDaemonEarly` when nothing is asked of the daemon after all: once it serves, asks
 * it to exit if it is still idle (a daemon another client has given work to stays), and waits
 * until the spawned process has exited or stays. Resolves true when the process is gone.
 */
export async function dismissDaemon(spawned: SpawnedDaemon, options: DaemonClientOptions = {}): Promise<boolean> {
  // Nothing to hand over: its stdin ends (or it would wait for it).
  spawned.handOver(null);
  const timeoutMs = options.spawnTimeoutMs ?? DAEMON_CLIENT_DEFAULTS.spawnTimeoutMs;
  const deadline = performance.now() + timeoutMs;
  while (!spawned.exited && performance.now() < deadline) {
    const connection = await connectDaemon(options).catch(() => null);
    if (connection) {
      try {
        // Ours, or ours lost the lock (it exits by itself): only ours is asked.
        if (connection.hello.pid !== spawned.pid) break;
        const { declined } = await connection.client.call('shutdown', { ifIdle: true });
        if (declined) return false;
        break;
      } catch {
        // It was closing already (idle, or asked by another): it exits by itself.
        break;
      } finally {
        await connection.close();
      }
    }
    await pause(10);
  }
  while (!spawned.exited && performance.now() < deadline) await pause(10);
  return spawned.exited !== null;
}

/** Resolves true once no daemon holds the lock (false after `timeoutMs`). */
export async function waitForDaemonGone(options: DaemonClientOptions = {}, timeoutMs = 30_000): Promise<boolean> {
  const paths = pathsOf(options);
  const deadline = performance.now() + timeoutMs;
  while (await daemonLockHeld(paths)) {
    if (performance.now() > deadline) return false;
    await pause(20);
  }
  return true;
}

/**
 * Runs `work` with a connection to the daemon (spawned when needed). A daemon that was exiting as
 * the call came (idle, it answers ECLOSED) is waited out and the work done once more on a new one.
 */
export async function withDaemon<T>(options: DaemonClientOptions, work: (connection: DaemonConnection) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const connection = await ensureDaemon(options);
    try {
      return await work(connection);
    } catch (error) {
      if (attempt > 0 || (error as { code?: unknown }).code !== 'ECLOSED') throw error;
      await waitForDaemonGone(options);
    } finally {
      await connection.close();
    }
  }
}

/** What `restartDaemon` moved, and what did not start again on the new daemon. */
export interface DaemonRestart {
  from: { version: string; pid: number } | null;
  to: { version: string; pid: number };
  started: ServiceTarget[];
  failed: Array<ServiceTarget & { error: string }>;
}

/**
 * Moves every active service to a daemon of this client's version: asks the running daemon (of
 * any version) what it runs and how, stops it gracefully, starts a new daemon and starts each
 * service on it again with the same definition and environment.
 */
export async function restartDaemon(options: DaemonClientOptions = {}): Promise<DaemonRestart> {
  const old = await connectDaemon({ ...options, acceptOtherVersion: true });
  let services: ExportedService[] = [];
  let from: DaemonRestart['from'] = null;
  if (old) {
    try {
      from = { version: old.hello.version, pid: old.hello.pid };
      services = await old.client.call('export', null);
      await old.client.call('shutdown', null);
    } finally {
      await old.close();
    }
    if (!(await waitForDaemonGone(options, 10 * 60_000))) throw new DaemonStartError(`the old daemon (pid ${from?.pid}) did not exit`, pathsOf(options).logFile, []);
  }
  const connection = await ensureDaemon(options);
  const started: ServiceTarget[] = [];
  const failed: DaemonRestart['failed'] = [];
  try {
    for (const { project, service, definition, environment } of services) {
      try {
        await connection.client.call('start', { project, service, definition, environment: environment ?? null }, { timeoutMs: Infinity });
        started.push({ project, service });
      } catch (error) {
        failed.push({ project, service, error: (error as Error).message });
      }
    }
    return { from, to: { version: connection.hello.version, pid: connection.hello.pid }, started, failed };
  } finally {
    await connection.close();
  }
}
