import type { ExitReason } from './restart-policy.js';
import type { SupervisorState } from './states.js';

export interface LastExit {
  code: number | null;
  signal: string | null;
  at: string;
  reason: ExitReason | 'stop' | 'spawn-error' | 'lease-lost';
  /** `start`: ended before it was ready (a start failure; a oneshot's every run); `run`: ended after (a crash). */
  phase: 'start' | 'run';
  /** How long the process ran, from its spawn to its exit (a oneshot's duration). */
  runMs: number;
}

export interface SupervisorStats {
  name: string;
  instance: number;
  state: SupervisorState;
  pid: number | null;
  spawns: number;
  restarts: number;
  crashes: number;
  startFailures: number;
  uptimeMs: number;
  lastExit: LastExit | null;
  memoryBytes: number | null;
  /** `limits.memory` in bytes, null without one. */
  memoryLimitBytes: number | null;
  cpuPercent: number | null;
  processes: number | null;
  status: string | null;
  droppedLogLines: number;
  /** Log bytes waiting for the disk (bounded by logs.maxBuffer). */
  logBufferedBytes: number;
  /** Log bytes the disk accepted, stdout and stderr (the service's log files, which its instances share). */
  logBytesWritten: number;
  nextRestartInMs: number | null;
  failure: string | null;
  /** The fencing token of the lease this supervisor holds (decimal), null without `lock` or while standby. */
  fencingToken: string | null;
}

/** The stats of an instance that never ran. */
export function idleStats(name: string, instance = 0): SupervisorStats {
  return {
    name,
    instance,
    state: 'stopped',
    pid: null,
    spawns: 0,
    restarts: 0,
    crashes: 0,
    startFailures: 0,
    uptimeMs: 0,
    lastExit: null,
    memoryBytes: null,
    memoryLimitBytes: null,
    cpuPercent: null,
    processes: null,
    status: null,
    droppedLogLines: 0,
    logBufferedBytes: 0,
    logBytesWritten: 0,
    nextRestartInMs: null,
    failure: null,
    fencingToken: null,
  };
}

/** What a whole service reports beside its instances' stats. */
export interface ServiceSummary {
  /** The service's state folded from its instances' (see `serviceState`). */
  state: SupervisorState;
  /** The number of instances asked for. */
  instances: number;
  /** The bound address while the socket is open, else null (even with `listen`). */
  listen: { host: string; port: number } | null;
  reloading: boolean;
  reloads: number;
  lastReload: { at: string; ok: boolean; error: string | null } | null;
}

/** One instance's stats with its service's summary: the rows of the daemon's `status`. */
export interface InstanceStats extends SupervisorStats {
  service: ServiceSummary;
}

export interface ReloadResult {
  /** `reload`: instances replaced one by one; `restart`: no `listen`, so stop + start (with `warning`). */
  mode: 'reload' | 'restart';
  replaced: number;
  warning: string | null;
}

/**
 * A service's rows: one per instance (`rows`, each its Supervisor's stats), or one idle row when it
 * has none; each with the service summary, and a failure to bind its socket as every row's failure.
 */
export function serviceRows(name: string, rows: SupervisorStats[], service: ServiceSummary, bindFailure: string | null): InstanceStats[] {
  const bind = bindFailure === null ? {} : { failure: bindFailure };
  if (rows.length === 0) return [{ ...idleStats(name), ...(bindFailure === null ? {} : { state: 'failed' as const }), ...bind, service }];
  return rows.map((row) => ({ ...row, ...bind, service }));
}

