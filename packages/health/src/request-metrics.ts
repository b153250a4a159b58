import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { InvalidOptionError } from './errors.js';
import type { HealthLogger } from './options.js';
import { METHOD_LABELS, OTHER_ROUTE, STATUS_CLASS_LABELS, UNMATCHED_ROUTE } from './request-labels.js';

export interface RequestMetricsInput {
  registry: Registry;
  prefix: string;
  durationBuckets: readonly number[];
  maxRoutes: number;
  logger: HealthLogger;
}

/** What one instrumented server has open right now; the gauges add these up at each scrape. */
export interface RequestSource {
  readonly inFlight: number;
  readonly openConnections: number;
}

export interface RequestMetrics {
  readonly durationBuckets: readonly number[];
  readonly maxRoutes: number;
  /** Counts one request that is over. `method` and `statusClass` are indexes into METHOD_LABELS and STATUS_CLASS_LABELS. */
  record(method: number, statusClass: number, route: string, seconds: number): void;
  /** Adds a server's open requests and connections to the gauges; returns its removal. */
  addSource(source: RequestSource): () => void;
  /** Unregisters the four metrics. */
  close(): void;
}

type Labels = { method: string; status_class: string; route: string };

/** One label set: its request count, and the histogram child that needs no label lookup by name. */
interface Series {
  labels: Labels;
  count: number;
  observe: (seconds: number) => void;
}

/** A route label value and its series, indexed by method × status class. */
interface Row {
  route: string;
  series: Array<Series | undefined>;
}

const CLASSES = STATUS_CLASS_LABELS.length;
const LABEL_NAMES = ['method', 'status_class', 'route'] as const;

/**
 * The request metrics of one handle. The per-request path is a Map lookup by route, an array
 * index by method and status class, an integer increment and one histogram observation; the
 * counter and the two gauges are filled in only when scraped.
 */
export function createRequestMetrics(input: RequestMetricsInput): RequestMetrics {
  const { registry, prefix, durationBuckets, maxRoutes, logger } = input;
  const rows = new Map<string, Row>();
  let patterns = 0;
  let warnedLimit = false;
  const sources = new Set<RequestSource>();
  const names = ['http_requests_total', 'http_request_duration_seconds', 'http_requests_in_flight', 'http_open_connections'].map((n) => prefix + n);

  const taken = new Set(names.filter((name) => registry.getSingleMetric(name) !== undefined));
  let duration: Histogram<(typeof LABEL_NAMES)[number]>;
  const registers = [registry];
  try {
    new Counter({
      name: names[0]!,
      help: 'HTTP requests whose response is over, by method, status class ("aborted": the connection closed first) and route pattern.',
      labelNames: LABEL_NAMES,
      registers,
      collect() {
        this.reset();
        for (const row of rows.values()) for (const series of row.series) if (series !== undefined) this.inc(series.labels, series.count);
      },
    });
    duration = new Histogram({
      name: names[1]!,
      help: 'Time from a request\'s headers to the end of its response (or to its connection closing), by method, status class and route pattern.',
      labelNames: LABEL_NAMES,
      buckets: [...durationBuckets],
      registers,
    });
    new Gauge({
      name: names[2]!,
      help: 'HTTP requests received whose response is not over yet.',
      registers,
      collect() {
        let total = 0;
        for (const source of sources) total += source.inFlight;
        this.set(total);
      },
    });
    new Gauge({
      name: names[3]!,
      help: 'Open connections to the instrumented HTTP servers.',
      registers,
      collect() {
        let total = 0;
        for (const source of sources) total += source.openConnections;
        this.set(total);
      },
    });
  } catch (error) {
    // Only the ones this call registered: the clash may be with a metric someone else owns.
    for (const name of names) if (!taken.has(name)) registry.removeSingleMetric(name);
    throw new InvalidOptionError('metricsPrefix', prefix, `a prefix not already used in this registry (${(error as Error).message})`);
  }

  const rowOf = (route: string): Row => {
    let row = rows.get(route);
    if (row !== undefined) return row;
    const fixed = route === UNMATCHED_ROUTE || route === OTHER_ROUTE;
    if (!fixed && patterns >= maxRoutes) {
      if (!warnedLimit) {
        warnedLimit = true;
        logger.warn(
          `@svc/health: more than maxRoutes (${maxRoutes}) distinct route patterns; requests of further ones are counted as route="${OTHER_ROUTE}". A route label taken from URLs rather than patterns does this; otherwise raise maxRoutes.`,
          { code: 'EHEALTH_ROUTE_LIMIT' },
        );
      }
      return rowOf(OTHER_ROUTE);
    }
    if (!fixed) patterns++;
    row = { route, series: new Array<Series | undefined>(METHOD_LABELS.length * CLASSES) };
    rows.set(route, row);
    return row;
  };

  return {
    durationBuckets,
    maxRoutes,
    record(method, statusClass, route, seconds) {
      const row = rowOf(route);
      const index = method * CLASSES + statusClass;
      let series = row.series[index];
      if (series === undefined) {
        const labels = { method: METHOD_LABELS[method]!, status_class: STATUS_CLASS_LABELS[statusClass]!, route: row.route };
        const child = duration.labels(labels);
        series = row.series[index] = { labels, count: 0, observe: (value) => child.observe(value) };
      }
      series.count++;
      // Never negative, even with an injected clock that steps back.
      series.observe(seconds > 0 ? seconds : 0);
    },
    addSource(source) {
      sources.add(source);
      return () => void sources.delete(source);
    },
    close() {
      for (const name of names) registry.removeSingleMetric(name);
      sources.clear();
    },
  };
}
