import type { SupervisorLogs } from './log-pipes.js';
import type { SupervisorStats } from './stats.js';

/** What a `Service` gives each of its instances beyond the options: not needed to supervise one process alone. */
export interface SupervisorInternals {
  /** Names the instance's notify socket (`<runDir>/<key>.notify.sock`); default the name (and `.instance`). */
  key?: string;
  /** Shared log files; the Supervisor then writes to them but does not close them. */
  logs?: SupervisorLogs;
  /** A listening socket's descriptor here: the child gets it as fd 3 (`LISTEN_FDS=1`, `LISTEN_PID`, `LISTEN_FDNAMES=<name>`). */
  listen?: { fd: number; name: string; adoptPort: number | null };
  /** The counts of the instance this one replaces (a restart or reload with new options) go on. */
  counts?: Pick<SupervisorStats, 'spawns' | 'restarts' | 'crashes' | 'startFailures'>;
}
