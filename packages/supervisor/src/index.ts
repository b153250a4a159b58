export { Supervisor } from './supervisor.js';
export type { SupervisorInternals, SupervisorLogs } from './supervisor.js';
export { SUPERVISOR_STATES, FINAL_STATES, isFinalState } from './states.js';
export type { SupervisorState } from './states.js';
export type { SupervisorEvent, SupervisorEventType, StateChange, LogLine, LogStream } from './events.js';
export type { SupervisorStats, LastExit } from './stats.js';
export { Service, SERVICE_DEFAULTS, serviceState } from './service.js';
export type { ServiceOptions, ListenOptions, ResolvedListen, ServiceSummary, InstanceStats, ReloadResult } from './service.js';
export { DEFAULTS, LIMITS, SERVICE_NAME, LOCK_KEY_PREFIX, SUPERVISOR_OPTION_KEYS, resolveSupervisorOptions } from './options.js';
export type { SupervisorOptions, ResolvedSupervisorOptions, ReadinessType, LockBackend, EnvValue } from './options.js';
export { SERVICE_OPTION_KEYS } from './service-options.js';
export { DEFINITION_KEYS, checkServiceDefinition, definitionProblems } from './definition.js';
export type { ServiceDefinition } from './definition.js';
export type { Duration, Size, UnitBounds, UnitReading } from './units.js';
export { parseDuration, parseSize, readDuration, readSize, MAX_DURATION_MS, MAX_SIZE_BYTES, DURATION_UNITS, SIZE_UNITS } from './units.js';
export { RESTART_TABLE, CLEAN_SIGNALS, classifyExit, shouldRestart } from './restart-policy.js';
export type { RestartPolicy, ExitReason, ExitFacts } from './restart-policy.js';
export { decideAfterExit } from './restart-decision.js';
export type { RestartDecision, ExitOutcome } from './restart-decision.js';
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
  DaemonVersionError,
  DaemonStartError,
  ListenError,
  ReloadFailedError,
  LeftoverProcessesError,
  isSupervisorError,
} from './errors.js';
export type { SupervisorErrorCode, OptionProblem } from './errors.js';
export { createDaemon, DAEMON_DEFAULTS } from './daemon.js';
export type { Daemon, DaemonOptions } from './daemon.js';
export type { ServiceTarget, ServiceSpec, StopResult, ExportedService } from './daemon-host.js';
export type { DaemonMethods, DaemonApi, HelloResult, LogEvent, LogsStream, NoteAction, NoteParams, NoteResult } from './daemon-methods.js';
export { MAX_LOG_LINES, NOTE_ACTIONS, MAX_NOTE_BY } from './daemon-methods.js';
export type { InstanceHistory, HistorySample, HistoryOptions } from './daemon-history.js';
export { DAEMON_NODE_ARGS, HISTORY_DEFAULTS, HISTORY_LIMITS } from './defaults.js';
export { runDaemonProcess } from './daemon-process.js';
export * from './client.js';
export { formatMetrics } from './metrics.js';
export type { MetricsRow } from './metrics.js';
export { tailLog } from './log-tail.js';
export { leftoverNote, leftoversOf, unendedOf } from './leftovers.js';
export type { UnendedProcess } from './leftovers.js';
export { daemonSettingsFile, parseMetricsListen, readDaemonSettings } from './daemon-settings.js';
export type { DaemonSettings } from './daemon-settings.js';
export type { MetricsListen } from './daemon-metrics.js';
