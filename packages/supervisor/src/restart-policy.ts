export type RestartPolicy = 'on-failure' | 'always' | 'never';

/**
 * Why an instance ended, as the restart table sees it. `clean`: exit code 0, or killed by one of
 * CLEAN_SIGNALS that the supervisor did not send (systemd counts these as a clean exit too).
 */
export type ExitReason =
  | 'clean'
  | 'exit-code'
  | 'signal'
  | 'start-timeout'
  | 'liveness'
  | 'limit'
  | 'never-restart-code';

/**
 * Signals after which an exit counts as clean, as systemd does (SIGHUP, SIGINT, SIGTERM,
 * SIGPIPE): someone asked the service to stop, it did not crash.
 */
export const CLEAN_SIGNALS: readonly string[] = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'];

/**
 * The restart table, row by row, like systemd's `Restart=` table. `true` = restart.
 * A code listed in `neverRestartExitCodes` never restarts whatever the policy (systemd's
 * RestartPreventExitStatus=): a configuration error would only loop.
 */
export const RESTART_TABLE: Record<ExitReason, Record<RestartPolicy, boolean>> = {
  clean: { always: true, 'on-failure': false, never: false },
  'exit-code': { always: true, 'on-failure': true, never: false },
  signal: { always: true, 'on-failure': true, never: false },
  'start-timeout': { always: true, 'on-failure': true, never: false },
  liveness: { always: true, 'on-failure': true, never: false },
  limit: { always: true, 'on-failure': true, never: false },
  'never-restart-code': { always: false, 'on-failure': false, never: false },
};

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  /** Set when the supervisor itself ended the instance, and why. */
  cause?: 'start-timeout' | 'liveness' | 'limit' | null;
}

export function classifyExit(exit: ExitFacts, neverRestartExitCodes: readonly number[]): ExitReason {
  if (exit.cause) return exit.cause;
  if (exit.code !== null && neverRestartExitCodes.includes(exit.code)) return 'never-restart-code';
  if (exit.code === 0) return 'clean';
  if (exit.code !== null) return 'exit-code';
  if (exit.signal !== null && CLEAN_SIGNALS.includes(exit.signal)) return 'clean';
  return 'signal';
}

export function shouldRestart(policy: RestartPolicy, reason: ExitReason): boolean {
  return RESTART_TABLE[reason][policy];
}
