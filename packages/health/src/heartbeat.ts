import type { HealthLogger } from './options.js';
import type { Notifier } from './notifier.js';

export interface Heartbeat {
  stop(): void;
}

/**
 * Sends WATCHDOG=1 every `intervalMs` from a plain unref'd timer on the main thread. That is the
 * point: when the event loop is blocked the timer cannot fire, the beats stop, and the supervisor
 * restarts a wedged process. A beat is skipped while the previous one is still being delivered,
 * and a failure is logged once until a beat gets through again.
 */
export function startHeartbeat(notifier: Notifier, intervalMs: number, logger: HealthLogger): Heartbeat {
  let inFlight = false;
  let failing = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    notifier.send('WATCHDOG=1').then(
      () => {
        inFlight = false;
        failing = false;
      },
      (error: unknown) => {
        inFlight = false;
        if (failing) return;
        failing = true;
        logger.warn(`@svc/health: heartbeat failed: ${(error as Error).message}`, { code: 'EHEALTH_NOTIFY_FAILED', via: notifier.via });
      },
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
