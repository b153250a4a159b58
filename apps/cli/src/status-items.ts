import type { DaemonRow } from '@svc/supervisor/client';
import type { SupervisorState } from '@svc/supervisor';
import type { StatusItem } from './status-item.js';

// The schema's states are the supervisor's, both ways: a new state breaks the build, not a script.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _StatesMatch = Assert<Same<StatusItem['state'], SupervisorState>>;

/** Where the rows come from: the daemon itself, or the state file of one that is gone. */
export interface RowSource {
  pid: number | null;
  alive: boolean;
}

/** Folds the daemon's per-instance rows into one `svc status` item per service (per project). */
export function toStatusItems(rows: readonly DaemonRow[], source: RowSource, stderrTail?: (projectId: string, name: string) => string[]): StatusItem[] {
  const groups = new Map<string, DaemonRow[]>();
  for (const row of rows) {
    const key = `${row.project.id}\u0000${row.name}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((instances) => {
    // The service's pid and uptime are its first running instance's (slot order).
    const first = instances.find((s) => s.state === 'running') ?? instances[0]!;
    const sum = (pick: (s: DaemonRow) => number | null) => {
      const values = instances.map(pick).filter((v): v is number => v !== null);
      return values.length ? values.reduce((a, b) => a + b, 0) : null;
    };
    const failure = instances.find((s) => s.failure !== null)?.failure ?? null;
    const state = first.service?.state ?? first.state;
    return {
      name: first.name,
      project: first.project.config ?? 'adhoc',
      state,
      pid: first.pid,
      supervisorPid: source.pid,
      uptimeMs: first.uptimeMs,
      restarts: instances.reduce((n, s) => n + s.restarts, 0),
      lastExit: first.lastExit ? { code: first.lastExit.code, signal: first.lastExit.signal, at: first.lastExit.at, runMs: first.lastExit.runMs ?? null } : null,
      memoryBytes: sum((s) => s.memoryBytes),
      cpuPercent: sum((s) => s.cpuPercent),
      health: state === 'failed' ? 'failed' : (failure ?? first.status),
      instances: instances.map((s) => ({
        instance: s.instance,
        pid: s.pid,
        state: s.state,
        restarts: s.restarts,
        memoryBytes: s.memoryBytes,
        cpuPercent: s.cpuPercent,
        processes: s.processes,
      })),
      supervisorAlive: source.alive,
      failure,
      fencingToken: first.fencingToken ?? null,
      // The instances share their service's log files: each row carries the same count.
      droppedLogLines: Math.max(0, ...instances.map((s) => s.droppedLogLines ?? 0)),
      ...(state === 'failed' && stderrTail ? { stderrTail: stderrTail(first.project.id, first.name) } : {}),
    };
  });
}
