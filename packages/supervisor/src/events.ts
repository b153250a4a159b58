import type { SupervisorState } from './states.js';

export type LogStream = 'stdout' | 'stderr';

export type SupervisorEventType =
  | 'state'
  | 'spawned'
  | 'spawn-error'
  | 'ready'
  | 'status'
  | 'exited'
  | 'restarting'
  | 'gave-up'
  | 'stop-requested'
  | 'killed'
  | 'liveness-failed'
  | 'limit-exceeded'
  | 'report'
  | 'log-error'
  | 'log-resumed'
  | 'lease-acquired'
  | 'lease-lost'
  | 'lease-released'
  | 'lease-error'
  // A Service's own events (instance -1): its socket, reloads and scaling.
  | 'listening'
  | 'socket-closed'
  | 'reload-started'
  | 'instance-replaced'
  | 'reload-done'
  | 'reload-failed'
  | 'reload-fallback'
  | 'scale'
  // A Service's restarts set off by its files (`watch`) or its `restart.schedule` (restart-triggers.ts).
  | 'watching'
  | 'watch-limit'
  | 'watch-error'
  | 'scheduled'
  | 'triggered'
  | 'trigger-skipped'
  | 'trigger-failed'
  // A Service's own event (instance -1): an action a caller asked for, and who (the daemon's
  // `note`: `{ action, by }`), written as it is asked, before the action's own events.
  | 'requested';

/** One line of the JSON-lines event log, and the payload of the `event` event. */
export interface SupervisorEvent {
  /** Wall-clock time (ISO 8601), for humans; intervals are measured on the monotonic clock. */
  time: string;
  service: string;
  instance: number;
  type: SupervisorEventType;
  [field: string]: unknown;
}

export interface StateChange {
  from: SupervisorState;
  to: SupervisorState;
  reason: string;
}

export interface LogLine {
  stream: LogStream;
  line: string;
  /** When the supervisor received it (ISO 8601, UTC), as its log file keeps it. */
  time?: string;
}
