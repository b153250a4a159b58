import { backoffDelayMs } from './backoff.js';
import type { ResolvedSupervisorOptions } from './options.js';
import { shouldRestart, type ExitReason } from './restart-policy.js';

/** What happens after an exit has been handled (leftovers swept). */
export type RestartDecision =
  /** The exit was asked for: the instance is stopped. */
  | { action: 'stopped' }
  /** Under `lock`, the lease is gone: wait for it again (standby). */
  | { action: 'seek-lease' }
  /** The supervisor gives up: `failed`. */
  | { action: 'give-up'; reason: string; kind: 'never-restart-code' | 'crash-loop' | 'start-failed' | 'oneshot-failed' }
  /** The restart policy says no restart: `stopped` after a clean exit, else `crashed`, for good. */
  | { action: 'settle'; state: 'stopped' | 'crashed'; why: string }
  /** Restart after `delayMs` (backoff), the `attempt`-th in a row. */
  | { action: 'restart'; attempt: number; delayMs: number }
  /** A `oneshot` exited 0: `completed`, and its start is answered. */
  | { action: 'complete' };

export interface ExitOutcome {
  /** The stop was asked for (or the instance was no longer wanted). */
  requested: boolean;
  /** `lock` is set and no lease is held any more. */
  leaseMissing: boolean;
  reason: ExitReason;
  code: number | null;
  phase: 'start' | 'run';
  uptimeMs: number;
  /** Restarts in a row before this exit. */
  attempt: number;
  /** Someone waits for this start (`start()`, `restart()`): its first failure is the answer. */
  awaited: boolean;
  signal: string | null;
  crashLoop: { exhausted: boolean; recentStarts: number };
}

/**
 * Why a start failed, in words: what ended it, and the window or timeout it fell in.
 */
export function startFailure(exit: Pick<ExitOutcome, 'reason' | 'code' | 'signal'>, o: ResolvedSupervisorOptions): string {
  const r = o.readiness;
  if (exit.reason === 'start-timeout') return `not ready within ${r.timeoutMs} ms (readiness.timeout)`;
  const how = exit.code !== null ? `exited with code ${exit.code}` : `was ended by ${exit.signal ?? 'a signal'}`;
  if (exit.reason === 'liveness' || exit.reason === 'limit') return `${how} before it was ready (${exit.reason})`;
  return r.type === 'none'
    ? `${how} within its start window (${r.startWindowMs} ms, readiness.startWindow)`
    : `${how} before it was ready (readiness ${r.type}${r.startWindowMs > 0 ? `, start window ${r.startWindowMs} ms` : ''})`;
}

/** How a oneshot's run failed, in words. */
export function oneshotFailure(exit: Pick<ExitOutcome, 'reason' | 'code' | 'signal'>, o: ResolvedSupervisorOptions): string {
  if (exit.reason === 'start-timeout') return `did not finish within ${o.readiness.timeoutMs} ms (readiness.timeout)`;
  return exit.code !== null ? `exited with code ${exit.code}` : `was ended by ${exit.signal ?? 'a signal'}`;
}

/**
 * A start someone waits for (`start()`, `restart()`) ends at its first failure: that failure is
 * the answer, not a crash loop in the background. Restarts nobody waits for (after a crash) go
 * through the backoff and the crash-loop window as before.
 *
 * The restart decision, as a pure function of what happened and the options: the restart table
 * (restart-policy.ts), the crash-loop window and the backoff. `random` spreads the delay (jitter).
 */
export function decideAfterExit(exit: ExitOutcome, o: ResolvedSupervisorOptions, random: () => number): RestartDecision {
  if (exit.requested) return { action: 'stopped' };
  if (exit.leaseMissing) return { action: 'seek-lease' };
  if (exit.reason === 'never-restart-code') {
    return { action: 'give-up', reason: `exit code ${exit.code} is in restart.neverRestartExitCodes`, kind: 'never-restart-code' };
  }
  if (o.type === 'oneshot') {
    // Its whole run is its start: a success completes it, a failure is retried only under
    // on-failure (a migration waiting for its database), even while someone waits, within the crash-loop limit.
    if (exit.reason === 'clean') return { action: 'complete' };
    if (!shouldRestart(o.restart.policy, exit.reason)) return { action: 'give-up', reason: oneshotFailure(exit, o), kind: 'oneshot-failed' };
  } else if (!shouldRestart(o.restart.policy, exit.reason)) {
    return exit.reason === 'clean'
      ? { action: 'settle', state: 'stopped', why: 'exited cleanly before it was ready' }
      : { action: 'settle', state: 'crashed', why: `${exit.reason}, restart policy ${o.restart.policy}` };
  }
  if (exit.phase === 'start' && exit.awaited && o.type !== 'oneshot') return { action: 'give-up', reason: startFailure(exit, o), kind: 'start-failed' };
  if (exit.crashLoop.exhausted) {
    const what = exit.phase === 'start' ? 'failed to start' : 'crashed';
    return { action: 'give-up', reason: `${what} ${exit.crashLoop.recentStarts} times within ${o.restart.crashLoop.windowMs} ms (restart.crashLoop)`, kind: 'crash-loop' };
  }
  const attempt = (exit.uptimeMs >= o.restart.resetAfterMs ? 0 : exit.attempt) + 1;
  return { action: 'restart', attempt, delayMs: backoffDelayMs(attempt, o.restart, random) };
}
