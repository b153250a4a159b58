import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/*
 * How a process is told apart from a later one that got the same PID, per platform:
 * - Linux: field 22 of /proc/<pid>/stat (start time in clock ticks since boot), plus the boot id
 *   from /proc/sys/kernel/random/boot_id, since ticks restart at every boot. Field 3 is the state:
 *   Z (zombie) and X (dead) count as not running.
 * - macOS and the BSDs: `ps -o lstart=,stat=` gives the start time to the second, and the state.
 *   Two processes with the same PID started within one second are not told apart.
 * - Windows: no start time is read; a holder is judged by `process.kill(pid, 0)` alone, so PID
 *   reuse is not detected there.
 */

export interface ProcessIdentity {
  /** An opaque start-time token; equal tokens mean the same process. null where none can be read. */
  startTime: string | null;
  /** True for a zombie or an exiting process. */
  isZombie: boolean;
}

/** The identity of a running process, or null when no process has that PID. */
export function readProcessIdentity(pid: number, platform: NodeJS.Platform = process.platform): ProcessIdentity | null {
  if (platform === 'linux') return readLinux(pid);
  if (platform === 'win32') return existsByKill(pid) ? { startTime: null, isZombie: false } : null;
  const viaPs = readWithPs(pid);
  if (viaPs !== 'unknown') return viaPs;
  return existsByKill(pid) ? { startTime: null, isZombie: false } : null;
}

function readLinux(pid: number): ProcessIdentity | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw error;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = rest[0] ?? '';
  const startTicks = rest[19] ?? '';
  return { startTime: startTicks, isZombie: state === 'Z' || state === 'X' || state === 'x' };
}

function readWithPs(pid: number): ProcessIdentity | null | 'unknown' {
  try {
    const out = execFileSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (!out) return null;
    const [state = '', ...start] = out.split(/\s+/);
    return { startTime: start.join(' '), isZombie: state.startsWith('Z') };
  } catch (error) {
    // ps exits 1 when no process has the PID; any other failure (no ps) falls back to kill(pid, 0).
    if ((error as { status?: number }).status === 1) return null;
    return 'unknown';
  }
}

function existsByKill(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let cachedBootId: string | null | undefined;

/** This boot's id (Linux); null elsewhere. */
export function readBootId(): string | null {
  if (cachedBootId !== undefined) return cachedBootId;
  try {
    cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch (error) {
    // No /proc on this platform: boot ids are not compared there.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    cachedBootId = null;
  }
  return cachedBootId;
}

export function currentHostname(): string {
  return hostname();
}

/** Why a holder counts as alive or not. */
export type Liveness =
  | 'alive'
  | 'dead'
  | 'zombie'
  | 'pid-reused'
  | 'other-boot'
  | 'remote-fresh'
  | 'remote-stale'
  | 'unreadable-fresh'
  | 'unreadable-stale';

export function isLive(liveness: Liveness): boolean {
  return liveness === 'alive' || liveness === 'remote-fresh' || liveness === 'unreadable-fresh';
}

/**
 * Judges a holder on this host by its PID and start time. Never signals the process:
 * `kill(pid, 0)` only probes, and it is used only where no start time can be read.
 */
export function judgeLocalHolder(holder: { pid: number; processStartTime: string | null; bootId: string | null }): Liveness {
  const bootId = readBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return 'other-boot';
  const identity = readProcessIdentity(holder.pid);
  if (!identity) return 'dead';
  if (identity.isZombie) return 'zombie';
  if (holder.processStartTime !== null && identity.startTime !== null && identity.startTime !== holder.processStartTime) {
    return 'pid-reused';
  }
  return 'alive';
}
