import { DrainEnvError } from './errors.js';

/** The variable through which the svc supervisor tells a service how long it waits before SIGKILL. */
export const STOP_TIMEOUT_ENV = 'SVC_STOP_TIMEOUT_MS';

/** Reads the supervisor's stop timeout; `null` when the service does not run under one that sets it. */
export function readStopTimeoutMs(env: NodeJS.ProcessEnv): number | null {
  const raw = env[STOP_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return null;
  const value = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new DrainEnvError('EDRAIN_ENV', STOP_TIMEOUT_ENV, raw, 'a whole number of milliseconds from 1 to 2147483647');
  }
  return value;
}

/** How long each phase of one shutdown may take, in ms from the moment it began. */
export interface PhasePlan {
  /** Readiness reports 503 this long while the server still accepts. */
  readinessDelayMs: number;
  /** Connections still open this long after the start are destroyed. */
  drainTimeoutMs: number;
  /** Hooks still running at this point are abandoned and the process exits; `null` without a stop deadline. */
  exitDeadlineMs: number | null;
  /** The supervisor's stop timeout the plan was fitted into, if any. */
  stopTimeoutMs: number | null;
}

export interface PlanInput {
  timeoutMs: number;
  readinessDelayMs: number;
  stopTimeoutMs: number | null;
  stopMarginMs: number;
  hooksShare: number;
  /** The timeout of every registered hook. */
  hookTimeoutsMs: readonly number[];
}

/**
 * Fits the phases inside the supervisor's stop timeout so that its SIGKILL never lands mid-drain:
 * a margin (at most half the timeout) is kept free, the hooks get the time they asked for up to
 * `hooksShare` of the rest, the connections get what remains (never more than `timeoutMs`), and
 * the readiness delay never takes more than half of the connections' window.
 * Without a stop timeout the options apply as given and hooks run to their own timeouts.
 */
export function planPhases(input: PlanInput): PhasePlan {
  const { timeoutMs, readinessDelayMs, stopTimeoutMs } = input;
  if (stopTimeoutMs === null) {
    return { readinessDelayMs, drainTimeoutMs: timeoutMs, exitDeadlineMs: null, stopTimeoutMs: null };
  }
  const marginMs = Math.min(input.stopMarginMs, Math.floor(stopTimeoutMs / 2));
  const budgetMs = stopTimeoutMs - marginMs;
  const hooksWantMs = input.hookTimeoutsMs.reduce((sum, ms) => sum + ms, 0);
  const hooksReserveMs = Math.min(hooksWantMs, Math.floor(budgetMs * input.hooksShare));
  const drainTimeoutMs = Math.min(timeoutMs, budgetMs - hooksReserveMs);
  return {
    readinessDelayMs: Math.min(readinessDelayMs, Math.floor(drainTimeoutMs / 2)),
    drainTimeoutMs,
    exitDeadlineMs: budgetMs,
    stopTimeoutMs,
  };
}
