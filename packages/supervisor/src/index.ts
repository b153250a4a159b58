export { Supervisor, SUPERVISOR_STATES } from './supervisor.js';
export { Service, SERVICE_DEFAULTS, serviceState } from './service.js';
export type { ServiceOptions, ListenOptions, ResolvedListen, ServiceSummary, InstanceStats, ReloadResult } from './service.js';
export type {
  SupervisorState,
  SupervisorEvent,
  SupervisorEventType,
  SupervisorStats,
  StateChange,
  LogLine,
  LogStream,
  LastExit,
  SupervisorInternals,
  SupervisorLogs,
} from './supervisor.js';
export { DEFAULTS, resolveSupervisorOptions } from './options.js';
export type { SupervisorOptions, ResolvedSupervisorOptions, ReadinessType } from './options.js';
export type { Duration, Size } from './units.js';
export { parseDuration, parseSize } from './units.js';
export { RESTART_TABLE, CLEAN_SIGNALS, classifyExit, shouldRestart } from './restart-policy.js';
export type { RestartPolicy, ExitReason, ExitFacts } from './restart-policy.js';
export { backoffDelayMs, nominalDelayMs } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { CrashLoopWindow } from './crash-loop.js';
export { parseEnv, readEnvFile } from './env-file.js';
export { createOrphanGuard } from './orphan-guard.js';
export type { OrphanGuard } from './orphan-guard.js';
export { parseNotifyLine, MAX_NOTIFY_LINE_BYTES } from './notify-socket.js';
export {
  ERROR_CODES,
  SupervisorError,
  InvalidOptionsError,
  EnvFileError,
  LogPathError,
  StartFailedError,
  StoppedError,
  ClosedError,
  UnknownServiceError,
  ServiceLockedError,
  DaemonLockedError,
  ListenError,
  ReloadFailedError,
  isSupervisorError,
} from './errors.js';
export type { SupervisorErrorCode } from './errors.js';
export { createDaemon, DAEMON_DEFAULTS } from './daemon.js';
export type { Daemon, DaemonOptions, ServiceDefinition } from './daemon.js';
export { formatMetrics } from './metrics.js';
export { tailLog } from './log-tail.js';
