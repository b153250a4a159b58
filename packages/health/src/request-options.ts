import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from './errors.js';

/** Options of `health.instrument(target, options)`. */
export interface InstrumentOptions {
  /**
   * The route pattern of a request (`"/users/:id"`), or undefined to let the framework's own
   * pattern decide. Must return one of a bounded set of values: never the URL itself.
   */
  route?: (req: IncomingMessage) => string | undefined;
  /** Upper bounds, in seconds, of the request duration histogram's buckets (increasing; `+Inf` is added). */
  durationBuckets?: readonly number[];
  /** At most this many distinct `route` label values; requests of further routes count as `OTHER_ROUTE`. */
  maxRoutes?: number;
}

export interface ResolvedInstrumentOptions {
  route: ((req: IncomingMessage) => string | undefined) | undefined;
  durationBuckets: readonly number[];
  maxRoutes: number;
}

/**
 * Every documented default of instrument(); the docs page's `### Request metrics options` table is
 * checked against this object. The buckets are OpenTelemetry's advice for
 * `http.server.request.duration` (semantic conventions 1.23+), so dashboards built for it fit.
 */
export const REQUEST_METRICS_DEFAULTS = {
  durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as readonly number[],
  maxRoutes: 100,
} as const;

/** Beyond this the histogram alone is thousands of series per route; a limit no real app needs. */
const MAX_BUCKETS = 64;
const MAX_ROUTES_LIMIT = 10_000;
const KNOWN = ['route', 'durationBuckets', 'maxRoutes'];

/**
 * Validates instrument()'s options. Options left out stay undefined here: the handle's first
 * instrument() call fills them from REQUEST_METRICS_DEFAULTS, and later calls keep what it chose.
 */
export function resolveInstrumentOptions(input: InstrumentOptions = {}): Partial<ResolvedInstrumentOptions> & Pick<ResolvedInstrumentOptions, 'route'> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidOptionError('options', input, 'an object');
  for (const key of Object.keys(input)) {
    if (!KNOWN.includes(key)) throw new InvalidOptionError(key, 'set', `one of ${KNOWN.join(', ')}`);
  }
  if (input.route !== undefined && typeof input.route !== 'function') {
    throw new InvalidOptionError('route', input.route, 'a function (req) => route pattern string or undefined');
  }
  return {
    route: input.route,
    durationBuckets: input.durationBuckets === undefined ? undefined : buckets(input.durationBuckets),
    maxRoutes: input.maxRoutes === undefined ? undefined : maxRoutes(input.maxRoutes),
  };
}

function buckets(value: unknown): readonly number[] {
  const expected = `a non-empty array of at most ${MAX_BUCKETS} finite numbers of seconds > 0, strictly increasing (+Inf is added), such as [0.05, 0.1, 0.5, 1]`;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BUCKETS) throw new InvalidOptionError('durationBuckets', value, expected);
  for (let i = 0; i < value.length; i++) {
    const bound: unknown = value[i];
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
      throw new InvalidOptionError(`durationBuckets[${i}]`, bound, expected);
    }
    if (i > 0 && bound <= (value[i - 1] as number)) {
      throw new InvalidOptionError(`durationBuckets[${i}]`, bound, `${expected}; it is not above durationBuckets[${i - 1}] = ${value[i - 1]}`);
    }
  }
  return Object.freeze([...(value as number[])]);
}

function maxRoutes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ROUTES_LIMIT) {
    throw new InvalidOptionError('maxRoutes', value, `an integer from 1 to ${MAX_ROUTES_LIMIT}`);
  }
  return value;
}
