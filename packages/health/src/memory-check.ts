import type { CheckFn, CheckOutcome } from './check-registry.js';
import { InvalidOptionError } from './errors.js';

export interface MemoryCheckOptions {
  /** Fail when the resident set size is above this many bytes. */
  maxRssBytes?: number;
  /** Fail when the V8 heap in use is above this many bytes. */
  maxHeapUsedBytes?: number;
}

/**
 * Fails when RSS or used heap is above its limit (at least one limit is required). RSS is read
 * with process.memoryUsage.rss(), which is cheap; the heap figure needs the full memoryUsage().
 */
export function memoryCheck(options: MemoryCheckOptions): CheckFn {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('memoryCheck', options, 'an object');
  const { maxRssBytes, maxHeapUsedBytes } = options;
  for (const [name, value] of [['maxRssBytes', maxRssBytes], ['maxHeapUsedBytes', maxHeapUsedBytes]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)) {
      throw new InvalidOptionError(name, value, 'a positive integer number of bytes');
    }
  }
  if (maxRssBytes === undefined && maxHeapUsedBytes === undefined) {
    throw new InvalidOptionError('memoryCheck', 'without limits', 'maxRssBytes and/or maxHeapUsedBytes');
  }
  return (): CheckOutcome => {
    if (maxRssBytes !== undefined) {
      const rss = process.memoryUsage.rss();
      if (rss > maxRssBytes) return { ok: false, code: 'ERSS_LIMIT', observed: rss, unit: 'bytes', message: `RSS ${rss} bytes is above ${maxRssBytes}` };
      if (maxHeapUsedBytes === undefined) return { ok: true, observed: rss, unit: 'bytes' };
    }
    const heapUsed = process.memoryUsage().heapUsed;
    if (heapUsed > maxHeapUsedBytes!) {
      return { ok: false, code: 'EHEAP_LIMIT', observed: heapUsed, unit: 'bytes', message: `heap used ${heapUsed} bytes is above ${maxHeapUsedBytes}` };
    }
    return { ok: true, observed: heapUsed, unit: 'bytes' };
  };
}
