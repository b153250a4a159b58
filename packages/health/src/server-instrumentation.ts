import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { InvalidOptionError } from './errors.js';
import { methodIndex, statusClassIndex } from './request-labels.js';
import type { RequestMetrics } from './request-metrics.js';
import { expressRoute, type RouteFinder } from './route-pattern.js';

/** The part of a Fastify instance instrument() uses (typed here: fastify is not a dependency). */
export interface FastifyLike {
  readonly server: Server;
  addHook(
    name: 'onRequest',
    hook: (request: { raw: IncomingMessage; routeOptions: { url?: string | undefined } }, reply: unknown, done: () => void) => void,
  ): unknown;
}

/** A node:http or node:https server (Express: what `app.listen()` returns), or a Fastify instance. */
export type InstrumentTarget = Server | FastifyLike;

export type ResolvedTarget = { kind: 'server'; server: Server } | { kind: 'fastify'; server: Server; app: FastifyLike };

const EXPECTED = 'a node:http or node:https Server (for Express, the server app.listen() returns) or a Fastify instance';

/** Which kind of target this is, refusing anything else before anything is installed. */
export function resolveTarget(target: unknown): ResolvedTarget {
  if (isHttpServer(target)) return { kind: 'server', server: target };
  if (typeof target === 'object' && target !== null && typeof (target as FastifyLike).addHook === 'function' && isHttpServer((target as FastifyLike).server)) {
    return { kind: 'fastify', server: (target as FastifyLike).server, app: target as FastifyLike };
  }
  if (typeof target === 'function' && typeof (target as { use?: unknown }).use === 'function') {
    throw new InvalidOptionError('target', 'an Express app', `${EXPECTED}: an app has no connections of its own to count`);
  }
  throw new InvalidOptionError('target', target, EXPECTED);
}

/**
 * HTTP/1 servers (http and https) have closeAllConnections() since Node 18.2; an HTTP/2 or a
 * plain net server does not, and its requests would not arrive as 'request' events of this shape.
 */
function isHttpServer(value: unknown): value is Server {
  if (typeof value !== 'object' || value === null) return false;
  const server = value as Partial<Server>;
  return typeof server.prependListener === 'function' && typeof server.removeListener === 'function' && typeof server.closeAllConnections === 'function';
}

export interface ServerInstrumentationInput {
  target: ResolvedTarget;
  metrics: RequestMetrics;
  /** The route label of a request whose response is over, given the framework's own finder. */
  resolveRoute: (framework: RouteFinder) => (req: IncomingMessage) => string;
  now: () => number;
}

export interface ServerInstrumentation {
  uninstall(): void;
}

/**
 * Counts one server's requests and connections. Everything goes through the server's public
 * events: 'request' (prepended, so the clock starts before the app's own listener runs), the
 * response's 'close' and 'connection' / the socket's 'close'.
 */
export function instrumentServer(input: ServerInstrumentationInput): ServerInstrumentation {
  const { target, metrics, now } = input;
  const { server } = target;
  let installed = true;
  let inFlight = 0;
  const sockets = new Set<Socket>();

  let framework: RouteFinder = expressRoute;
  if (target.kind === 'fastify') {
    // Fastify knows the route only on its own request object; its onRequest hook runs after
    // routing, for every request (404s too, with no url). The raw request is the key.
    const patterns = new WeakMap<IncomingMessage, string>();
    try {
      target.app.addHook('onRequest', (request, _reply, done) => {
        if (installed) {
          const url = request.routeOptions.url;
          if (url !== undefined) patterns.set(request.raw, url);
        }
        done();
      });
    } catch (error) {
      // Fastify refuses new hooks once it has started (FST_ERR_INSTANCE_ALREADY_LISTENING).
      throw new InvalidOptionError('target', 'a Fastify instance that refused an onRequest hook', 'instrument(app) called before app.listen() or app.ready()', error);
    }
    framework = (req) => patterns.get(req);
  }
  const routeOf = input.resolveRoute(framework);

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const start = now();
    inFlight++;
    // A response emits 'close' exactly once: after 'finish', or when its connection closed
    // first. The response is dropped after that, so the listener needs no removal.
    res.on('close', () => {
      inFlight--;
      if (!installed) return;
      metrics.record(methodIndex(req.method), statusClassIndex(res.writableFinished, res.statusCode), routeOf(req), (now() - start) / 1000);
    });
  };

  function forgetSocket(this: Socket): void {
    sockets.delete(this);
  }
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    // 'close' comes once per socket; uninstall() removes the listener from those still open.
    socket.on('close', forgetSocket);
  };

  server.prependListener('request', onRequest);
  server.on('connection', onConnection);
  const removeSource = metrics.addSource({
    get inFlight() {
      return inFlight;
    },
    get openConnections() {
      return sockets.size;
    },
  });

  return {
    uninstall() {
      if (!installed) return;
      installed = false;
      server.removeListener('request', onRequest);
      server.removeListener('connection', onConnection);
      for (const socket of sockets) socket.removeListener('close', forgetSocket);
      sockets.clear();
      removeSource();
    },
  };
}
