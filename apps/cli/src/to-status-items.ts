import type { SupervisorState, SupervisorStats } from '@svc/supervisor';
import type { StatusItem } from './status-item.js';

// The schema's states are the supervisor's, both ways: a new state breaks the build, not a script.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _StatesMatch = Assert<Same<StatusItem['state'], SupervisorState>>;

/** Folds a daemon's per-instance stats into one `svc status` item per service. */
export function toStatusItems(stats: SupervisorStats[], daemon: { id: string; pid: number }): StatusItem[] {
  const byName = new Map<string, SupervisorStats[]>();
  for (const s of stats) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  return [...byName.entries()].map(([name, instances]) => {
    const first = instances[0]!;
    const sum = (pick: (s: SupervisorStats) => number | null) => {
      const values = instances.map(pick).filter((v): v is number => v !== null);
      return values.length ? values.reduce((a, b) => a + b, 0) : null;
    };
    return {
      name,
      state: first.state,
      pid: first.pid,
      supervisorPid: daemon.pid,
      uptimeMs: first.uptimeMs,
      restarts: instances.reduce((n, s) => n + s.restarts, 0),
      lastExit: first.lastExit ? { code: first.lastExit.code, signal: first.lastExit.signal, at: first.lastExit.at } : null,
      memoryBytes: sum((s) => s.memoryBytes),
      cpuPercent: sum((s) => s.cpuPercent),
      health: first.failure ? 'failed' : first.status,
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
      failure: first.failure,
      fencingToken: first.fencingToken ?? null,
    };
  });
}
