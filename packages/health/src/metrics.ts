import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CheckResult } from './check-registry.js';
import { InvalidOptionError } from './errors.js';
import type { EndpointName } from './options.js';
import { HEALTH_STATES, type HealthState } from './state.js';

export interface HealthMetricsInput {
  registry: Registry;
  /** True when the registry was created for this handle alone (then close() may clear it). */
  ownsRegistry: boolean;
  prefix: string;
  defaultMetrics: boolean;
  state: () => HealthState;
  /** Runs the checks (through the cache) so a scrape sees current results. */
  results: () => Promise<CheckResult[]>;
}

export interface HealthMetrics {
  observeRun(result: CheckResult): void;
  countProbe(endpoint: EndpointName): void;
  forgetCheck(name: string): void;
  close(): void;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The handle's metrics, in its own registry by default so that two handles in one process (or an
 * app that also uses prom-client's global registry) never collide. Label values are check names
 * (chosen by the developer), state names and endpoint names: never anything from a request.
 */
export function createHealthMetrics(input: HealthMetricsInput): HealthMetrics {
  const { registry, prefix } = input;
  const before = new Set(registry.getMetricsAsArray().map((metric) => metric.name));
  const registers = [registry];

  let checkDuration: Histogram<'check'>;
  let probes: Counter<'endpoint'>;
  try {
    new Gauge({
      name: `${prefix}check_status`,
      help: 'Result of each health check: 1 passing, 0 failing.',
      labelNames: ['check'],
      registers,
      async collect() {
        const results = await input.results();
        this.reset();
        for (const result of results) this.set({ check: result.name }, result.status === 'pass' ? 1 : 0);
      },
    });
    new Gauge({
      name: `${prefix}check_critical`,
      help: 'Whether each health check is critical (fails /health and /ready): 1 yes, 0 no.',
      labelNames: ['check'],
      registers,
      async collect() {
        const results = await input.results();
        this.reset();
        for (const result of results) this.set({ check: result.name }, result.critical ? 1 : 0);
      },
    });
    checkDuration = new Histogram({
      name: `${prefix}check_duration_seconds`,
      help: 'Time each health check took to run (cached results are not counted).',
      labelNames: ['check'],
      buckets: DURATION_BUCKETS,
      registers,
      // prom-client reads metrics in parallel: waiting on the same (shared) run as the status
      // gauge makes a scrape that triggers the run also show its duration.
      async collect() {
        await input.results();
      },
    });
    new Gauge({
      name: `${prefix}state`,
      help: 'Lifecycle state of the service: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const current = input.state();
        for (const state of HEALTH_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    probes = new Counter({
      name: `${prefix}probe_requests_total`,
      help: 'Requests answered by each health endpoint.',
      labelNames: ['endpoint'],
      registers,
    });
  } catch (error) {
    removeAddedSince(registry, before);
    throw new InvalidOptionError('metricsPrefix', prefix, `a prefix not already used in this registry (${(error as Error).message})`);
  }

  if (input.defaultMetrics) {
    try {
      collectDefaultMetrics({ register: registry });
      // prom-client types these three as gauges but names them like counters, which
      // `promtool check metrics` rejects ("non-counter metrics should not have _total suffix").
      // The same figures stay available per type as nodejs_active_handles / _requests / _resources.
      for (const name of MISNAMED_DEFAULT_GAUGES) if (!before.has(name)) registry.removeSingleMetric(name);
    } catch (error) {
      removeAddedSince(registry, before);
      throw new InvalidOptionError('defaultMetrics', true, `false when the registry already holds prom-client's default metrics (${(error as Error).message})`);
    }
  }
  const added = registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => !before.has(name));

  const probeCounters = new Map<EndpointName, Counter.Internal>();
  const probeCounter = (endpoint: EndpointName) => {
    let counter = probeCounters.get(endpoint);
    if (counter === undefined) probeCounters.set(endpoint, (counter = probes.labels({ endpoint })));
    return counter;
  };

  return {
    observeRun(result) {
      checkDuration.observe({ check: result.name }, result.durationMs / 1000);
    },
    countProbe(endpoint) {
      probeCounter(endpoint).inc();
    },
    forgetCheck(name) {
      checkDuration.remove({ check: name });
    },
    close() {
      if (input.ownsRegistry) registry.clear();
      else for (const name of added) registry.removeSingleMetric(name);
    },
  };
}

/** Undoes a half-done registration, so a failed createHealth leaves the registry as it found it. */
function removeAddedSince(registry: Registry, before: Set<string>): void {
  for (const metric of registry.getMetricsAsArray()) if (!before.has(metric.name)) registry.removeSingleMetric(metric.name);
}
