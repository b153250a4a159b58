import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CheckFn } from './check-registry.js';
import { InvalidOptionError } from './errors.js';
import { duration } from './options.js';
import { thresholdCheck } from './threshold-check.js';

export interface EventLoopDelayCheckOptions {
  /** The check fails when the delay percentile since the previous run is above this. */
  maxDelayMs?: number;
  /** Which percentile of the delays sampled since the previous run is compared. */
  percentile?: number;
  /** Sampling resolution of Node's event-loop delay monitor. */
  resolutionMs?: number;
}

/** Defaults of eventLoopDelayCheck; documented in the `## Built-in checks` table. */
export const EVENT_LOOP_CHECK_DEFAULTS = {
  maxDelayMs: 500,
  percentile: 99,
  resolutionMs: 20,
} as const;

/**
 * Fails when the event loop was late by more than `maxDelayMs` (at the given percentile) since the
 * check last ran: a service that still answers but too slowly. Its monitor is released by
 * removeCheck() / close() through the check's close().
 */
export function eventLoopDelayCheck(options: EventLoopDelayCheckOptions = {}): CheckFn {
  const maxDelayMs = duration('maxDelayMs', options.maxDelayMs ?? EVENT_LOOP_CHECK_DEFAULTS.maxDelayMs, 1);
  const percentile = options.percentile ?? EVENT_LOOP_CHECK_DEFAULTS.percentile;
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) {
    throw new InvalidOptionError('percentile', percentile, 'a number in (0, 100]');
  }
  const resolutionMs = duration('resolutionMs', options.resolutionMs ?? EVENT_LOOP_CHECK_DEFAULTS.resolutionMs, 1);
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const check: CheckFn = thresholdCheck({
    measure: () => {
      // Nanoseconds in, milliseconds out; one decimal is all a reader needs.
      const delayMs = histogram.count === 0 ? 0 : Math.round(histogram.percentile(percentile) / 1e5) / 10;
      histogram.reset();
      return delayMs;
    },
    max: maxDelayMs,
    code: 'EEVENT_LOOP_DELAY',
    unit: 'ms',
  });
  check.close = () => histogram.disable();
  return check;
}
