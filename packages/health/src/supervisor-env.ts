import { isAbsolute } from 'node:path';
import { InvalidOptionError } from './errors.js';
import { noopNotifier, type Notifier } from './notifier.js';
import { createIpcNotifier, type IpcSend } from './notify-ipc.js';
import { createSocketNotifier } from './notify-socket.js';
import { createSystemdNotifier } from './notify-systemd.js';
import type { NotifyMode } from './options.js';

export interface SupervisorLink {
  notifier: Notifier;
  /** How often to send WATCHDOG=1, or null for no heartbeat. */
  heartbeatIntervalMs: number | null;
}

interface LinkInput {
  mode: NotifyMode;
  env: NodeJS.ProcessEnv;
  heartbeatIntervalMs: number | null;
  systemdNotifyCommand: string;
  /** process.send bound to process, present only when this process has an IPC channel. */
  send: IpcSend | undefined;
  pid: number;
}

/**
 * Picks the way to reach the supervisor, in docs/protocol.md's order: the IPC channel when
 * SVC_NOTIFY=ipc (and the channel exists: a grandchild inherits the variable but not the
 * channel), else the svc notify socket, else systemd's, else nothing. The heartbeat period is half
 * the supervisor's timeout, read from the variable of the same family.
 */
export function linkToSupervisor(input: LinkInput): SupervisorLink {
  const { env } = input;
  const hasChannel = typeof input.send === 'function';
  let mode = input.mode;
  if (mode === 'auto') {
    if (env.SVC_NOTIFY === 'ipc' && hasChannel) mode = 'ipc';
    else if (nonEmpty(env.SVC_NOTIFY_SOCKET)) mode = 'socket';
    else if (nonEmpty(env.NOTIFY_SOCKET)) mode = 'systemd';
    else mode = 'none';
  }

  switch (mode) {
    case 'ipc': {
      if (!hasChannel) throw new InvalidOptionError('notify', 'ipc', '"ipc" only in a process started with an IPC channel (fork, or spawn with stdio "ipc")');
      return { notifier: createIpcNotifier(input.send!), heartbeatIntervalMs: period(input, 'SVC_WATCHDOG_MS', 1) };
    }
    case 'socket': {
      const path = env.SVC_NOTIFY_SOCKET;
      if (!nonEmpty(path) || !isAbsolute(path)) {
        throw new InvalidOptionError('env.SVC_NOTIFY_SOCKET', path, 'the absolute path of the supervisor\'s notify socket');
      }
      return { notifier: createSocketNotifier(path, input.pid), heartbeatIntervalMs: period(input, 'SVC_WATCHDOG_MS', 1) };
    }
    case 'systemd': {
      if (!nonEmpty(env.NOTIFY_SOCKET)) throw new InvalidOptionError('env.NOTIFY_SOCKET', env.NOTIFY_SOCKET, 'set by systemd (Type=notify)');
      // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the
      // variables must not keep its parent's watchdog fed (sd_watchdog_enabled does the same).
      const watchdogPid = env.WATCHDOG_PID;
      const ours = watchdogPid === undefined || watchdogPid === '' || watchdogPid === String(input.pid);
      return {
        notifier: createSystemdNotifier(input.systemdNotifyCommand, env),
        heartbeatIntervalMs: ours ? period(input, 'WATCHDOG_USEC', 1000) : null,
      };
    }
    default:
      return { notifier: noopNotifier, heartbeatIntervalMs: null };
  }
}

function period(input: LinkInput, variable: string, perMs: number): number | null {
  if (input.heartbeatIntervalMs !== null) return input.heartbeatIntervalMs;
  const raw = input.env[variable];
  if (raw === undefined || raw === '') return null;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value / perMs < 20) {
    throw new InvalidOptionError(`env.${variable}`, raw, `a whole number of ${perMs === 1 ? 'ms' : 'µs'} worth at least 20 ms`);
  }
  // Half the timeout, as the protocol asks, so one late beat is not fatal.
  return Math.max(10, Math.floor(value / perMs / 2));
}

function nonEmpty(value: string | undefined): value is string {
  return typeof value === 'string' && value !== '';
}
