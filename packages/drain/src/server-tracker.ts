import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { DrainLogger } from './logger.js';
import type { CloseUpgraded } from './options.js';
import { trackUpgradedSockets } from './upgraded-sockets.js';

/** What was still open when the deadline passed and had to be destroyed. */
export interface DestroyedCounts {
  sockets: number;
  upgraded: number;
  sessions: number;
}

export interface ServerTracker {
  /** Readiness is down: every response from now on carries `Connection: close`. */
  beginDrain(): void;
  /** Stops accepting, closes idle connections and HTTP/2 sessions; resolves once every connection has ended. */
  stopAccepting(): Promise<void>;
  /** At the deadline: destroys whatever is still open. */
  destroyAll(): DestroyedCounts;
  uninstall(): void;
}

type Phase = 'serving' | 'draining' | 'closing';

/**
 * A connection accepted just before the listener closed has usually not sent its first request
 * yet, and to Node it looks idle. Closing it would reset a client that did everything right, so
 * idle connections are closed only once every such new connection has carried its first request
 * (and so gets `Connection: close`), closed, or stayed silent this long.
 */
export const FIRST_REQUEST_GRACE_MS = 1_000;

// HTTP/1 servers (http, https) have these since Node 18.2; HTTP/2 and net servers do not.
interface Http1Methods {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

function http1Methods(server: NetServer): Http1Methods | undefined {
  const candidate = server as Partial<Http1Methods>;
  return typeof candidate.closeIdleConnections === 'function' && typeof candidate.closeAllConnections === 'function'
    ? (candidate as Http1Methods)
    : undefined;
}

/**
 * Follows one server's connections through a drain using only public APIs: the `connection`,
 * `request`, `session` and `upgrade` events, `closeIdleConnections()`, `closeAllConnections()`
 * and HTTP/2's `session.close()` (GOAWAY, then open streams finish).
 */
export function trackServer(server: NetServer, closeUpgraded: CloseUpgraded | undefined, logger: DrainLogger): ServerTracker {
  const http1 = http1Methods(server);
  const sockets = new Set<Socket>();
  const responses = new Set<ServerResponse>();
  const sessions = new Set<Http2Session>();
  // Connections (TLS sockets for https) that have not carried a request yet.
  const fresh = new Set<Duplex>();
  const upgraded = trackUpgradedSockets(server);
  let phase: Phase = 'serving';
  let sweepScheduled = false;
  let graceOver = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let whenClosed: Promise<void> | undefined;

  const markClose = (response: ServerResponse): void => {
    // Once headers are out the response keeps its keep-alive header; the sweep below closes the
    // connection when it turns idle instead.
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };

  // A connection whose response was already under way when the drain began turns idle only after
  // that response ends; close it then, on the next turn of the loop, once Node has marked it idle.
  const sweepIdle = (): void => {
    if (sweepScheduled || http1 === undefined || (fresh.size > 0 && !graceOver)) return;
    sweepScheduled = true;
    setImmediate(() => {
      sweepScheduled = false;
      http1.closeIdleConnections();
    });
  };

  const onNewConnection = (socket: Duplex): void => {
    fresh.add(socket);
    socket.once('close', () => {
      fresh.delete(socket);
      if (phase === 'closing') sweepIdle();
    });
  };
  const isTls = server instanceof TlsServer;
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!isTls && http1 !== undefined) onNewConnection(socket);
  };
  const onSecureConnection = (socket: Duplex): void => {
    if (http1 !== undefined) onNewConnection(socket);
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    // HTTP/2 forbids connection headers; GOAWAY does the same job there.
    if (request.httpVersionMajor >= 2) return;
    if (fresh.delete(request.socket) && phase === 'closing') sweepIdle();
    responses.add(response);
    response.once('close', () => {
      responses.delete(response);
      if (phase === 'closing') sweepIdle();
    });
    if (phase !== 'serving') markClose(response);
  };
  const onSession = (session: Http2Session): void => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (phase === 'closing') session.close();
  };
  const handUpgraded = (socket: Duplex, request: IncomingMessage): void => {
    if (closeUpgraded === undefined) return;
    Promise.resolve()
      .then(() => closeUpgraded(socket, request))
      .catch((cause: unknown) => {
        logger.error('closeUpgraded failed; the socket stays open until the deadline', {
          cause: cause instanceof Error ? cause.message : String(cause),
        });
      });
  };

  server.on('connection', onConnection);
  if (isTls) server.on('secureConnection', onSecureConnection);
  server.prependListener('request', onRequest);
  server.on('session', onSession);

  return {
    beginDrain() {
      if (phase !== 'serving') return;
      phase = 'draining';
      for (const response of responses) markClose(response);
    },

    stopAccepting() {
      if (whenClosed !== undefined) return whenClosed;
      phase = 'closing';
      for (const response of responses) markClose(response);
      whenClosed = new Promise<void>((resolve) => {
        // The callback waits for every connection to end; when the server was not listening it
        // comes at once with ERR_SERVER_NOT_RUNNING and the tracked sockets are waited for here.
        const callback = (): void => {
          if (sockets.size === 0) return resolve();
          let left = sockets.size;
          for (const socket of sockets) {
            socket.once('close', () => {
              left -= 1;
              if (left === 0) resolve();
            });
          }
        };
        // http.Server#close() also closes every idle connection at once, new ones included; the
        // listener is closed here with net.Server's own close() and idle connections by sweepIdle().
        if (http1 !== undefined) NetServer.prototype.close.call(server, callback);
        else server.close(callback);
      });
      graceTimer = setTimeout(() => {
        graceOver = true;
        sweepIdle();
      }, FIRST_REQUEST_GRACE_MS);
      graceTimer.unref();
      sweepIdle();
      for (const session of sessions) session.close();
      upgraded.onUpgrade(handUpgraded);
      for (const [socket, request] of upgraded.open) handUpgraded(socket, request);
      return whenClosed;
    },

    destroyAll() {
      clearTimeout(graceTimer);
      const counts: DestroyedCounts = { sockets: 0, upgraded: upgraded.open.size, sessions: sessions.size };
      for (const session of sessions) session.destroy();
      for (const socket of upgraded.open.keys()) socket.destroy();
      for (const socket of sockets) {
        if (!socket.destroyed) counts.sockets += 1;
        socket.destroy();
      }
      // Connections accepted before the drain was created are not in `sockets`.
      http1?.closeAllConnections();
      return counts;
    },

    uninstall() {
      clearTimeout(graceTimer);
      server.removeListener('connection', onConnection);
      server.removeListener('secureConnection', onSecureConnection);
      server.removeListener('request', onRequest);
      server.removeListener('session', onSession);
      upgraded.uninstall();
    },
  };
}
