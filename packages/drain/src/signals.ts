import { constants } from 'node:os';

/**
 * Signals that ask a process to stop and that Node lets a program catch.
 * SIGKILL and SIGSTOP can never be caught, so listening for them is refused.
 * On Windows only SIGINT (Ctrl+C) and SIGBREAK arrive as signals; SIGTERM is never delivered,
 * which is why a supervisor also sends the `{ svc: 'shutdown' }` IPC message.
 */
export const UNCATCHABLE_SIGNALS: readonly string[] = ['SIGKILL', 'SIGSTOP'];

export function isCatchableSignal(name: unknown): name is NodeJS.Signals {
  return typeof name === 'string' && name in constants.signals && !UNCATCHABLE_SIGNALS.includes(name);
}

/** The shell's convention for a process ended by a signal: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
