import { createRequire } from 'node:module';
import { readdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveRunDir, resolveStateDir } from '@svc/lock/dirs';

/*
 * Where the per-user daemon and its services keep their files, and the names of its locks: the one
 * place each name is made, for the daemon, its client and `svc status` alike.
 *
 *   <run dir>/daemon.sock                          the admin socket (0600)
 *   <run dir>/<project>/<name>.notify.sock         each instance's notify socket
 *   <state dir>/locks/svc-daemon.lock              one daemon per user (per SVC_HOME)
 *   <state dir>/locks/svc-service-<project>-<name>.lock   held while a service is active
 *
 * The locks are in the state directory, not the run directory: cleaners of /run and /tmp
 * (tmpfiles, logout) may delete the run directory under a running daemon, and a lost lock would
 * let a second daemon start a second copy of every service. The daemon puts its sockets back.
 *   <state dir>/logs/daemon.log                    the daemon's own output
 *   <state dir>/logs/<project>/<name>.{out.log,err.log,events.jsonl}
 *   <state dir>/daemon-state.json                  what the daemon hosts (read when it is gone)
 *   <state dir>/orphan-guard-<daemon pid>.txt      what a dead daemon's guard could not end
 */

/** The project of services started without a config file (`svc start name -- cmd`). */
export const ADHOC_PROJECT = 'adhoc';
/** A project id: `adhoc`, `cfg-<12 hex>` for a config file, or a library user's own. */
export const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DAEMON_LOCK = 'svc-daemon';

/** Which project a service belongs to: a service is (project, name). */
export interface ProjectRef {
  id: string;
  /** The config file, by its real path; null for the ad-hoc project. */
  config: string | null;
}

export interface DaemonPaths {
  runDir: string;
  stateDir: string;
  socketPath: string;
  /** Where the daemon's and the services' locks are: in the state directory. */
  lockDir: string;
  lockName: string;
  logFile: string;
  stateFile: string;
}

type Env = Record<string, string | undefined>;

export function daemonPaths(env: Env = process.env, dirs: { runDir?: string; stateDir?: string } = {}): DaemonPaths {
  const runDir = dirs.runDir ?? resolveRunDir(env);
  const stateDir = dirs.stateDir ?? resolveStateDir(env);
  return {
    runDir,
    stateDir,
    socketPath: path.join(runDir, 'daemon.sock'),
    lockDir: path.join(stateDir, 'locks'),
    lockName: DAEMON_LOCK,
    logFile: path.join(stateDir, 'logs', 'daemon.log'),
    stateFile: path.join(stateDir, 'daemon-state.json'),
  };
}

export const adhocProject: ProjectRef = { id: ADHOC_PROJECT, config: null };

/** The project of a config file: named after the SHA-256 of its real path, so links and `..` agree. */
export function configProject(configFile: string): ProjectRef {
  let real: string;
  try {
    real = realpathSync(configFile);
  } catch (error) {
    // A file that vanished since it was found: its resolved path still names the same project.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    real = path.resolve(configFile);
  }
  // node:crypto loads only when a project is named: `svc status` never needs it.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return { id: `cfg-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`, config: real };
}

/** Where the orphan guard of the daemon `daemonPid` lists what it could not end (orphan-guard.ts). */
export function guardReportFile(paths: DaemonPaths, daemonPid: number): string {
  return path.join(paths.stateDir, `orphan-guard-${daemonPid}.txt`);
}

/** Removes the guard reports of dead daemons that no kept row stands for any more (`keep`: their pids). */
export function forgetGuardReports(paths: DaemonPaths, keep: ReadonlySet<number>): void {
  let names: string[];
  try {
    names = readdirSync(paths.stateDir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^orphan-guard-(\d+)\.txt$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !keep.has(pid)) rmSync(path.join(paths.stateDir, name), { force: true });
  }
}

/** The lock a service's host holds while the service is active. */
export function serviceLockName(project: string, service: string): string {
  return `svc-service-${project}-${service}`;
}

/** Where one project's services write their logs and put their notify sockets. */
export function projectDirs(paths: DaemonPaths, project: string): { logDir: string; runDir: string } {
  return { logDir: path.join(paths.stateDir, 'logs', project), runDir: path.join(paths.runDir, project) };
}

/** A service's log file, as `svc logs` reads it when the daemon does not host it. */
export function serviceLogFile(paths: DaemonPaths, project: string, service: string, stream: 'stdout' | 'stderr' | 'events'): string {
  const suffix = stream === 'stdout' ? 'out.log' : stream === 'stderr' ? 'err.log' : 'events.jsonl';
  return path.join(projectDirs(paths, project).logDir, `${service}.${suffix}`);
}
