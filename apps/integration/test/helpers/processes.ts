import { readdirSync, readFileSync } from 'node:fs';

/*
 * What is alive on this machine, read from /proc (Linux). The suite finds everything a test may
 * have left by the test's own SVC_HOME in a process's environment: the daemon, its orphan guard,
 * the services and whatever they spawned all inherit it, and no process outside the test has it
 * (each test's SVC_HOME is a fresh temp dir). Processes of other users are unreadable and skipped.
 */

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** R, S, D, Z, T … from /proc/<pid>/stat. */
  state: string;
  cmdline: string[];
}

export function readProc(pid: number): ProcInfo | null {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (error) {
    // ENOENT/ESRCH: the process exited while we looked, which is the same as not finding it.
    if (['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
  // The command name in parentheses may hold spaces and parentheses itself: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    cmdline: cmdline.split('\0').filter((a) => a.length > 0),
  };
}

/** True while `pid` exists and is not a zombie (a zombie has exited; only its parent's wait is missing). */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== null && info.state !== 'Z';
}

function environOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch (error) {
    // Gone, or another user's process (EACCES): neither can be one this test started.
    if (['ENOENT', 'ESRCH', 'EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}

/** Every live (non-zombie) process whose environment has SVC_HOME=<home>. */
export function processesOf(home: string): ProcInfo[] {
  const needle = `SVC_HOME=${home}`;
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const environ = environOf(pid);
    if (!environ?.includes(needle)) continue;
    const info = readProc(pid);
    if (info && info.state !== 'Z') found.push(info);
  }
  return found;
}

export function describe(procs: ProcInfo[]): string {
  return procs.map((p) => `pid ${p.pid} (pgid ${p.pgid}, ${p.state}): ${p.cmdline.join(' ').slice(0, 160)}`).join('; ') || 'none';
}

/** Sends `signal` to a pid or (negative) a process group; false when there is no such target. */
export function signal(target: number, sig: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(target, sig);
    return true;
  } catch (error) {
    // ESRCH: already gone, which is what a kill wants.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** This (test runner) process's own process group: never signalled as a group. */
export function ownProcessGroup(): number {
  return readProc(process.pid)!.pgid;
}

/** The svc daemons among `procs` (the per-user daemon is `node …/supervisor/bin/daemon.mjs`, or a foreground `svc run`). */
export function daemonsOf(home: string): ProcInfo[] {
  return processesOf(home).filter((p) => p.cmdline.some((arg) => arg.endsWith('/bin/daemon.mjs')));
}
