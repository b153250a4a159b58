/*
 * `@svc/supervisor/client`: what talks to the per-user daemon without loading the daemon or the
 * supervisor — the client, the directories and lock names, the state file a dead daemon leaves,
 * this package's version. The CLI's quick paths (`svc status`, `svc start` on a running daemon)
 * import only this.
 */
export {
  connectDaemon,
  ensureDaemon,
  spawnDaemon,
  spawnDaemonEarly,
  dismissDaemon,
  waitForDaemonGone,
  withDaemon,
  restartDaemon,
  daemonEntry,
  versionFix,
  DAEMON_CLIENT_DEFAULTS,
} from './daemon-client.js';
export type { DaemonClient, DaemonConnection, DaemonClientOptions, DaemonRestart, SpawnedDaemon } from './daemon-client.js';
export {
  ADHOC_PROJECT,
  PROJECT_ID,
  DAEMON_LOCK,
  adhocProject,
  configProject,
  daemonPaths,
  guardReportFile,
  projectDirs,
  serviceLockName,
  serviceLogFile,
} from './daemon-paths.js';
export type { DaemonPaths, ProjectRef } from './daemon-paths.js';
export { readDaemonState, rowsAfterDaemon } from './daemon-state.js';
export type { DaemonRow, DaemonStateFile } from './daemon-state.js';
export { SUPERVISOR_VERSION, DAEMON_PROTOCOL } from './version.js';
export { isFinalState, FINAL_STATES, SUPERVISOR_STATES } from './states.js';
export { tailLog } from './log-tail.js';
export { readLogTail, readBackwards, mergeByTime } from './log-read.js';
export type { TailOptions } from './log-read.js';
export { parseStoredLine, parseEventLine, stampLine } from './log-line.js';
export type { StoredLine } from './log-line.js';
export { emptyLog, logFiles } from './log-flush.js';
export type { EmptiedLog } from './log-flush.js';
export { readDuration, DURATION_UNITS } from './units.js';
export { leftoverNote, leftoversOf, unendedOf } from './leftovers.js';
export type { UnendedProcess } from './leftovers.js';
export { isSupervisorError } from './errors.js';
export { MAX_LOG_LINES, LOGS_STREAMS, NOTE_ACTIONS, MAX_NOTE_BY } from './daemon-methods.js';
export type { HelloResult, MetricsResult, LogEvent, LogsStream, LogsOptions, DaemonMethods, ShutdownParams, ShutdownResult, NoteAction, NoteParams, NoteResult } from './daemon-methods.js';
export type { InstanceHistory, HistorySample } from './daemon-history.js';
export { HISTORY_DEFAULTS } from './defaults.js';
export type { ServiceTarget, ServiceSpec, StopResult, ExportedService, HostedDefinition } from './daemon-host.js';
export { daemonSettingsFile, parseMetricsListen, readDaemonSettings } from './daemon-settings.js';
export type { DaemonSettings } from './daemon-settings.js';
export type { MetricsListen } from './daemon-metrics.js';
