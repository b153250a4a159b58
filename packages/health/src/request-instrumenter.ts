import type { IncomingMessage, Server } from 'node:http';
import type { Registry } from 'prom-client';
import { InvalidOptionError } from './errors.js';
import type { HealthLogger } from './options.js';
import { REQUEST_METRICS_DEFAULTS, resolveInstrumentOptions, type InstrumentOptions } from './request-options.js';
import { createRequestMetrics, type RequestMetrics } from './request-metrics.js';
import { createProbeRoutes, createRouteResolver } from './route-pattern.js';
import { instrumentServer, resolveTarget, type ServerInstrumentation } from './server-instrumentation.js';

/** What `health.instrument()` returns. */
export interface RequestInstrumentation {
  /**
   * Removes the listeners from the server (a Fastify hook cannot be removed: it stops doing
   * anything). The series counted so far stay until the handle is closed.
   */
  uninstall(): void;
}

export interface RequestInstrumenterInput {
  registry: Registry;
  prefix: string;
  logger: HealthLogger;
  now: () => number;
}

export interface RequestInstrumenter {
  instrument(target: unknown, options?: InstrumentOptions): RequestInstrumentation;
  /** The handle's handler answered `req` on `path`; remembered only while a server is instrumented. */
  probeAnswered: (req: IncomingMessage, path: string) => void;
  /** Uninstalls every instrumentation and unregisters the request metrics. */
  close(): void;
}

/**
 * The handle's side of request metrics: one set of series for every server it instruments,
 * registered on the first instrument() call, so a handle that never instruments shows none.
 */
export function createRequestInstrumenter(input: RequestInstrumenterInput): RequestInstrumenter {
  let metrics: RequestMetrics | undefined;
  const installed = new Map<Server, ServerInstrumentation>();
  const probes = createProbeRoutes();

  return {
    instrument(target, options) {
      const resolved = resolveInstrumentOptions(options);
      const resolvedTarget = resolveTarget(target);
      const { server } = resolvedTarget;
      if (installed.has(server)) {
        throw new InvalidOptionError('target', 'a server this handle already instruments', 'each server once (uninstall() the earlier instrumentation first), or the Fastify instance or its server, not both');
      }
      if (metrics !== undefined) {
        // One histogram per handle: its buckets (and the route limit) are the first call's.
        sameAs('durationBuckets', resolved.durationBuckets, metrics.durationBuckets);
        sameAs('maxRoutes', resolved.maxRoutes, metrics.maxRoutes);
      }
      const fresh = metrics === undefined;
      const used =
        metrics ??
        createRequestMetrics({
          registry: input.registry,
          prefix: input.prefix,
          durationBuckets: resolved.durationBuckets ?? REQUEST_METRICS_DEFAULTS.durationBuckets,
          maxRoutes: resolved.maxRoutes ?? REQUEST_METRICS_DEFAULTS.maxRoutes,
          logger: input.logger,
        });
      let instrumentation: ServerInstrumentation;
      try {
        instrumentation = instrumentServer({
          target: resolvedTarget,
          metrics: used,
          resolveRoute: (framework) => createRouteResolver({ route: resolved.route, framework, probe: probes.find, logger: input.logger }),
          now: input.now,
        });
      } catch (error) {
        // Leaves the registry as it was before this call.
        if (fresh) used.close();
        throw error;
      }
      metrics = used;
      installed.set(server, instrumentation);
      return {
        uninstall() {
          if (installed.get(server) === instrumentation) installed.delete(server);
          instrumentation.uninstall();
        },
      };
    },
    probeAnswered(req, path) {
      if (installed.size > 0) probes.mark(req, path);
    },
    close() {
      for (const instrumentation of installed.values()) instrumentation.uninstall();
      installed.clear();
      metrics?.close();
      metrics = undefined;
    },
  };
}

function sameAs<T>(option: string, given: T | undefined, current: T): void {
  if (given === undefined || JSON.stringify(given) === JSON.stringify(current)) return;
  throw new InvalidOptionError(option, given, `${JSON.stringify(current)} as set by this handle's first instrument() call (one histogram per handle), or left out`);
}
