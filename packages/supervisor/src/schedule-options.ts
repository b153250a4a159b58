import { createRequire } from 'node:module';
import { LIMITS } from './defaults.js';
import type { OptionChecker } from './option-checks.js';

/** What `restart` adds for a Service: a restart at the times of a cron expression. */
export interface ScheduleOptions {
  /**
   * A cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds
   * first, or a nickname (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`).
   */
  schedule?: string;
  /** The IANA time zone of the schedule's times (`Europe/Paris`, `UTC`); default the daemon's own. */
  timeZone?: string;
}

export interface ResolvedSchedule {
  expression: string;
  timeZone: string | null;
}

export type Croner = typeof import('croner');

/**
 * croner, loaded when a schedule is first checked or run: most services have none, and every
 * `svc` command that reads a config loads these checks.
 */
export function croner(): Croner {
  return createRequire(import.meta.url)('croner') as Croner;
}

/** How croner reads the expressions svc takes: 5 fields, or 6 with seconds first (no year field). */
export const CRON_MODE = '5-or-6-parts';

const EXPRESSION = 'a cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly';
// A name, never an offset: "+01:00" keeps no daylight saving time, which a schedule of a place needs.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** `restart.schedule` and `restart.timeZone` checked, recording problems in `c`; null without a schedule. */
export function readSchedule(c: OptionChecker, restart: Record<string, unknown>): ResolvedSchedule | null {
  const { schedule, timeZone } = restart;
  const zone = timeZone === undefined ? null : readTimeZone(c, timeZone);
  if (schedule === undefined) {
    if (timeZone !== undefined) c.fail('restart.timeZone', timeZone, 'restart.schedule beside it: the time zone is that of its times');
    return null;
  }
  if (typeof schedule !== 'string' || schedule.trim() === '' || schedule.length > LIMITS.schedule.length) {
    c.fail('restart.schedule', schedule, `${EXPRESSION}, at most ${LIMITS.schedule.length} characters`);
    return null;
  }
  const expression = schedule.trim();
  const problem = cronProblem(expression, zone);
  if (problem !== null) {
    c.fail('restart.schedule', schedule, `${EXPRESSION} (${problem})`);
    return null;
  }
  return { expression, timeZone: zone };
}

function readTimeZone(c: OptionChecker, value: unknown): string | null {
  if (typeof value === 'string' && ZONE_NAME.test(value) && value.length <= 64) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      return value;
    } catch {
      // Not a zone this Node knows: reported just below, with the same words as a malformed one.
    }
  }
  c.fail('restart.timeZone', value, 'an IANA time zone name such as "Europe/Paris", "America/New_York" or "UTC"');
  return null;
}

/** What croner says is wrong with `expression`, or that it never comes (30 February); null when it is fine. */
function cronProblem(expression: string, timeZone: string | null): string | null {
  const { Cron } = croner();
  let job: InstanceType<Croner['Cron']> | null = null;
  try {
    job = new Cron(expression, { paused: true, mode: CRON_MODE, ...(timeZone ? { timezone: timeZone } : {}) });
    // croner takes a date as a pattern too (a run at that one time): a schedule repeats.
    if (job.getOnce() !== null) return 'a date is not a schedule';
    if (job.nextRun() === null) return 'it never comes';
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  } finally {
    job?.stop();
  }
}
