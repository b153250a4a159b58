import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProjectRef } from './daemon-paths.js';
import type { InstanceStats } from './service.js';
import { isFinalState } from './states.js';

/** One instance row of the daemon's status: the instance's stats, its service's summary, its project. */
export interface DaemonRow extends InstanceStats {
  project: ProjectRef;
  /** Kept from a daemon that died: its pid, which marks the processes it may have left (leftovers.ts). */
  deadDaemonPid?: number;
}

/**
 * What the daemon hosts, kept on disk so that it can be told after the daemon is gone: written by
 * the holder of the daemon lock only (the daemon, after each change), read by anyone.
 */
export interface DaemonStateFile {
  version: 1;
  pid: number;
  daemonVersion: string;
  startedAt: string;
  updatedAt: string;
  /** The daemon exited on its own: nothing it listed runs any more, and `rows` are what it kept. */
  exited: boolean;
  rows: DaemonRow[];
}

/** Writes the file whole or not at all (temp file, then rename). Throws what the disk says. */
export function writeDaemonState(file: string, state: DaemonStateFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The file, or null when there is none; a damaged file is reported through `problem`. */
export function readDaemonState(file: string): { state: DaemonStateFile | null; problem: string | null } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, problem: null };
    return { state: null, problem: `cannot read ${file}: ${(error as Error).message}` };
  }
  try {
    const state = JSON.parse(text) as Partial<DaemonStateFile>;
    if (state.version !== 1 || !Array.isArray(state.rows) || typeof state.pid !== 'number') throw new Error('not a state file of this version');
    return { state: state as DaemonStateFile, problem: null };
  } catch (error) {
    return { state: null, problem: `ignoring ${file}: ${(error as Error).message}` };
  }
}

/**
 * The rows a state file still stands for once its daemon is gone. A daemon that exited on its own
 * kept only its failed and crashed services; one that died (SIGKILL, OOM) listed everything it
 * ran: those services are reported `crashed`, "supervisor died", with no pid.
 */
export function rowsAfterDaemon(state: DaemonStateFile): DaemonRow[] {
  if (state.exited) return state.rows.filter((row) => isFinalState(row.state));
  const why = `supervisor died (daemon pid ${state.pid}; found gone after ${state.updatedAt})`;
  return state.rows
    .filter((row) => row.state !== 'stopped')
    .map((row) =>
      isFinalState(row.state)
        ? row
        : {
            ...row,
            state: 'crashed',
            pid: null,
            uptimeMs: 0,
            memoryBytes: null,
            cpuPercent: null,
            processes: null,
            failure: why,
            deadDaemonPid: state.pid,
            service: { ...row.service, state: 'crashed', listen: null },
          },
    );
}
