import type { IncomingMessage } from 'node:http';
import type { HealthLogger } from './options.js';
import { UNMATCHED_ROUTE } from './request-labels.js';

/** Finds a request's route pattern once its response is over; undefined means "not this way". */
export type RouteFinder = (req: IncomingMessage) => string | undefined;

interface ExpressLikeRequest {
  route?: { path?: unknown } | null;
  baseUrl?: unknown;
}

/**
 * Express (and routers that follow its convention) leaves the route that handled the request on
 * `req.route`, and the path of the router it is mounted under on `req.baseUrl`. Both are read when
 * the response is over: by then the route that answered is the last one dispatched. `baseUrl` is
 * the mount path as matched, so a mount path with a parameter (`app.use('/t/:tenant', router)`)
 * shows its values; `maxRoutes` bounds that.
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as IncomingMessage & ExpressLikeRequest;
  if (typeof route !== 'object' || route === null) return undefined;
  const path = patternText(route.path);
  return path === undefined ? undefined : (typeof baseUrl === 'string' ? baseUrl : '') + path;
}

/** A route declared as a string, a RegExp (`/^\/v\d+$/`) or an array of those (`"/a,/b"`). */
function patternText(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return path.toString();
  if (Array.isArray(path)) {
    const parts = path.map(patternText);
    return parts.includes(undefined) ? undefined : parts.join(',');
  }
  return undefined;
}

export interface RouteResolverInput {
  /** The user's `route(req)`, asked first. */
  route: RouteFinder | undefined;
  /** The framework's pattern: Fastify's route URL, or Express's `req.route`. */
  framework: RouteFinder;
  /** The path of a probe the handle's own handler answered. */
  probe: RouteFinder;
  logger: HealthLogger;
}

/** Asks each source in turn; UNMATCHED_ROUTE when none knows the request. */
export function createRouteResolver(input: RouteResolverInput): (req: IncomingMessage) => string {
  const { route, framework, probe, logger } = input;
  let warned = false;
  const fromUser = (req: IncomingMessage): string | undefined => {
    try {
      const value = route!(req);
      return typeof value === 'string' && value !== '' ? value : undefined;
    } catch (error) {
      // Runs in the response's 'close' listener, where a throw would be an uncaught exception
      // that ends the process: the request counts under the framework's pattern instead.
      if (!warned) {
        warned = true;
        logger.warn(`@svc/health: the route() function given to instrument() threw (${(error as Error)?.message ?? String(error)}); such requests are labelled by the framework's pattern or "${UNMATCHED_ROUTE}".`, {
          code: 'EHEALTH_ROUTE_FAILED',
        });
      }
      return undefined;
    }
  };
  return (req) => (route === undefined ? undefined : fromUser(req)) ?? framework(req) ?? probe(req) ?? UNMATCHED_ROUTE;
}

/** The requests the handle's own handler answered, and with which of its paths. */
export interface ProbeRoutes {
  mark: (req: IncomingMessage, path: string) => void;
  find: RouteFinder;
}

/**
 * A probe is labelled with the path the handler matched (`/ready`), behind the mount path under
 * Express (`/ops/ready`): a fixed set. The handler marks what it answers, so a request for
 * `/ready` that it did not answer (mounted elsewhere) stays unmatched.
 */
export function createProbeRoutes(): ProbeRoutes {
  const answered = new WeakMap<IncomingMessage, string>();
  return {
    mark(req, path) {
      answered.set(req, path);
    },
    find(req) {
      const path = answered.get(req);
      if (path === undefined) return undefined;
      const { baseUrl } = req as IncomingMessage & ExpressLikeRequest;
      return typeof baseUrl === 'string' ? baseUrl + path : path;
    },
  };
}
