import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connectIpc, isIpcError, type IpcClient } from '@svc/ipc';
import { acquireLock, isHolderAlive, isLockError, readLock, resolveRunDir, resolveStateDir, type LockRecord } from '@svc/lock';
import { CliError } from './errors.js';
import type { DaemonSpec } from './daemon-main.js';
import { spawnDaemon, takePrespawned } from './prestart.js';

/*
 * How the CLI finds and talks to supervisor daemons. A daemon with id <id> holds the lock
 * `svc-daemon-<id>` in the run directory and serves `<run dir>/<id>.sock`; its own output goes to
 * `<state dir>/logs/<id>/daemon.log`. Liveness is decided by the lock (PID + start time), never by
 * the socket file alone.
 */

export interface DaemonRef {
  id: string;
  socketPath: string;
  lockName: string;
  logFile: string;
}

export function daemonRef(id: string, env: NodeJS.ProcessEnv = process.env): DaemonRef {
  const runDir = resolveRunDir(env);
  return {
    id,
    socketPath: path.join(runDir, `${id}.sock`),
    lockName: `svc-daemon-${id}`,
    logFile: path.join(resolveStateDir(env), 'logs', id, 'daemon.log'),
  };
}

/** Connects to a running daemon, or returns null when none runs for this id. */
export async function connectDaemon(ref: DaemonRef, timeoutMs = 2_000): Promise<IpcClient | null> {
  try {
    return await connectIpc(ref.socketPath, { timeoutMs });
  } catch (error) {
    if (isIpcError(error) && (error.code === 'EIPC_NOT_RUNNING' || error.code === 'EIPC_CLOSED')) return null;
    throw error;
  }
}

/** The last `lines` lines of a file, or [] when it does not exist. */
export function tailFile(file: string, lines: number): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.split('\n').filter((l) => l.length > 0).slice(-lines);
}

/**
 * Connects to the daemon, starting it first (detached, in its own session, output to its log)
 * when none runs. `spec` says what it hosts.
 */
export async function ensureDaemon(ref: DaemonRef, spec: DaemonSpec, env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<{ client: IpcClient; spawned: boolean }> {
  // Spawned by this process before the command ran (prestart.ts): it may already serve.
  const adopted = takePrespawned(ref.id);
  const existing = await connectDaemon(ref);
  if (existing) return { client: existing, spawned: adopted !== null };

  // Held in an object: the exit callback sets it while the loop below polls it.
  const watch = adopted ?? spawnDaemon(ref.logFile, spec, env);

  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const client = await connectDaemon(ref);
    if (client) return { client, spawned: true };
    if (watch.exited) {
      // Another `svc start` may have won the race to start the daemon: use it if it answers, or
      // wait for it while it holds the daemon lock and boots.
      const winner = await connectDaemon(ref);
      if (winner) return { client: winner, spawned: false };
      const lock = await readLock({ name: ref.lockName, dir: path.dirname(ref.socketPath) });
      if (lock.state === 'held' && performance.now() <= deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        continue;
      }
      const { code, signal } = watch.exited;
      throw new CliError('ESTART_FAILED', `the supervisor daemon exited before it served (${code ?? signal})`, {
        details: [`last lines of ${ref.logFile}:`, ...tailFile(ref.logFile, 20).map((l) => `  ${l}`)],
      });
    }
    if (performance.now() > deadline) {
      throw new CliError('ESTART_FAILED', `the supervisor daemon did not answer on ${ref.socketPath} within ${timeoutMs} ms`, {
        details: [`last lines of ${ref.logFile}:`, ...tailFile(ref.logFile, 20).map((l) => `  ${l}`)],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface DiscoveredDaemon {
  ref: DaemonRef;
  /** The daemon lock's holder, if any. */
  holder: LockRecord | null;
  alive: boolean;
}

/** Every daemon that has a lock or a socket in the run directory. */
export async function discoverDaemons(env: NodeJS.ProcessEnv = process.env): Promise<DiscoveredDaemon[]> {
  const runDir = resolveRunDir(env);
  if (!existsSync(runDir)) return [];
  const ids = new Set<string>();
  for (const entry of readdirSync(runDir)) {
    const lock = /^svc-daemon-(.+)\.lock$/.exec(entry);
    if (lock) ids.add(lock[1]!);
    const sock = /^(.+)\.sock$/.exec(entry);
    if (sock) ids.add(sock[1]!);
  }
  const found: DiscoveredDaemon[] = [];
  for (const id of [...ids].sort()) {
    const ref = daemonRef(id, env);
    const status = await readLock({ name: ref.lockName, dir: runDir });
    const holder = status.state === 'free' ? null : status.holder;
    found.push({ ref, holder, alive: status.state === 'held' });
  }
  return found;
}

/** Removes what a dead daemon left behind: its socket file and its stale lock. */
export async function cleanDeadDaemon(daemon: DiscoveredDaemon, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (daemon.alive) return;
  rmSync(daemon.ref.socketPath, { force: true });
  // Taking a stale lock over and releasing it is the safe way to remove it: the lock package
  // re-checks that its holder is dead, atomically, and never removes a live holder's lock.
  try {
    const lock = await acquireLock({ name: daemon.ref.lockName, dir: resolveRunDir(env), releaseOnExit: false });
    await lock.release();
  } catch (error) {
    // ELOCKED: a new daemon took the id since we looked; it is alive and there is nothing to clean.
    if (!(isLockError(error) && error.code === 'ELOCKED')) throw error;
  }
}

/** Sends `signal` to a daemon from its lock record, only if that record's process is alive. */
export function signalDaemon(holder: LockRecord, signal: NodeJS.Signals): boolean {
  if (!isHolderAlive(holder)) return false;
  process.kill(holder.pid, signal);
  return true;
}
