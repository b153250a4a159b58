import type { InstanceStats, SupervisorState, SupervisorStats } from '@svc/supervisor';
import type { StatusItem } from './status-item.js';

// The schema's states are the supervisor's, both ways: a new state breaks the build, not a script.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _StatesMatch = Assert<Same<StatusItem['state'], SupervisorState>>;

/** A row's service state: the daemon's fold over the instances (`serviceState`); a saved row may predate it. */
export function rowState(row: SupervisorStats | InstanceStats): SupervisorState {
  return 'service' in row && row.service ? row.service.state : row.state;
}

/** Folds a daemon's per-instance stats into one `svc status` item per service. */
export function toStatusItems(stats: Array<SupervisorStats | InstanceStats>, daemon: { id: string; pid: number }): StatusItem[] {
  const byName = new Map<string, Array<SupervisorStats | InstanceStats>>();
  for (const s of stats) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  return [...byName.entries()].map(([name, instances]) => {
    // The service's pid and uptime are its first running instance's (slot order).
    const first = instances.find((s) => s.state === 'running') ?? instances[0]!;
    const sum = (pick: (s: SupervisorStats | InstanceStats) => number | null) => {
      const values = instances.map(pick).filter((v): v is number => v !== null);
      return values.length ? values.reduce((a, b) => a + b, 0) : null;
    };
    return {
      name,
      state: rowState(first),
      pid: first.pid,
      supervisorPid: daemon.pid,
      uptimeMs: first.uptimeMs,
      restarts: instances.reduce((n, s) => n + s.restarts, 0),
      lastExit: first.lastExit ? { code: first.lastExit.code, signal: first.lastExit.signal, at: first.lastExit.at } : null,
      memoryBytes: sum((s) => s.memoryBytes),
      cpuPercent: sum((s) => s.cpuPercent),
      health: instances.find((s) => s.failure)?.failure ? 'failed' : first.status,
      instances: instances.map((s) => ({
        instance: s.instance,
        pid: s.pid,
        state: s.state,
        restarts: s.restarts,
        memoryBytes: s.memoryBytes,
        cpuPercent: s.cpuPercent,
        processes: s.processes,
      })),
      daemon: daemon.id,
      supervisorAlive: true,
      failure: instances.find((s) => s.failure !== null)?.failure ?? null,
      fencingToken: first.fencingToken ?? null,
    };
  });
}
