import type { CheckFn, CheckOutcome } from './check-registry.js';
import { InvalidOptionError } from './errors.js';
import { SAFE_CODE } from './codes.js';

export interface ThresholdCheckOptions {
  /** Returns the current value (sync or async): a queue length, a lag, a pool's waiting count. */
  measure: () => number | Promise<number>;
  /** The check fails when the value is above this. */
  max: number;
  /** The code reported when it fails (E + upper case). */
  code?: string;
  unit?: string;
}

/** Defaults of thresholdCheck; documented in the `## Built-in checks` table. */
export const THRESHOLD_CHECK_DEFAULTS = {
  code: 'ECHECK_THRESHOLD',
} as const;

/**
 * The custom-check helper: turns "measure a number, fail above a limit" into a check whose
 * detailed result shows the value and the limit. The built-in checks are made with it.
 */
export function thresholdCheck(options: ThresholdCheckOptions): CheckFn {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('thresholdCheck', options, 'an object');
  const { measure, max, code = THRESHOLD_CHECK_DEFAULTS.code, unit } = options;
  if (typeof measure !== 'function') throw new InvalidOptionError('measure', measure, 'a function returning a number');
  if (typeof max !== 'number' || !Number.isFinite(max)) throw new InvalidOptionError('max', max, 'a finite number');
  if (typeof code !== 'string' || !SAFE_CODE.test(code)) throw new InvalidOptionError('code', code, 'a code such as "EQUEUE_FULL" (E, then up to 31 of A-Z 0-9 _)');
  return async (): Promise<CheckOutcome> => {
    const value = await measure();
    if (typeof value !== 'number' || Number.isNaN(value)) {
      return { ok: false, code: 'ECHECK_ERROR', message: `measure() returned ${typeof value}, not a number` };
    }
    const ok = value <= max;
    const shown = unit === undefined ? `${value}` : `${value} ${unit}`;
    return {
      ok,
      code,
      observed: value,
      ...(unit === undefined ? {} : { unit }),
      message: ok ? `${shown} ≤ ${max}` : `${shown} is above the limit ${max}`,
    };
  };
}
