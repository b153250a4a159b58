import { CRON_MODE, croner, type ResolvedSchedule } from './schedule-options.js';

/** A running schedule: `close()` ends it; `nextRun()` says when it fires next (null once closed). */
export interface RestartSchedule {
  nextRun(): Date | null;
  close(): void;
}

/**
 * Calls `fire` at each time of a checked schedule (schedule-options.ts), in its time zone. croner
 * keeps the timer (unref'ed: a schedule alone never keeps a process alive) and re-arms it past
 * Node's 24.8-day timer limit and across clock changes. A fire that throws is handed to `failed`.
 */
export function createRestartSchedule(schedule: ResolvedSchedule, fire: () => void, failed: (error: unknown) => void): RestartSchedule {
  const { Cron } = croner();
  const job = new Cron(schedule.expression, { mode: CRON_MODE, unref: true, catch: failed, ...(schedule.timeZone ? { timezone: schedule.timeZone } : {}) }, () => fire());
  return {
    nextRun: () => (job.isStopped() ? null : job.nextRun()),
    close: () => job.stop(),
  };
}
