import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { DrainLogger } from './logger.js';
import type { CloseUpgraded } from './options.js';
import { BACKLOG_SETTLE_MAX_MS, BACKLOG_SETTLE_MS, BACKLOG_SETTLE_POLL_MS, REFUSE_QUIET_MS, REFUSE_SETTLE_MS, boundItself, shrinkBacklog } from './backlog.js';
import { installRefusal, type Refusal } from './refuse.js';
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
  /**
   * Stops serving new connections (refusing them until the requests in flight are done, or closing
   * the listener at once), closes idle connections and HTTP/2 sessions; resolves once every
   * connection has ended.
   */
  stopAccepting(): Promise<void>;
  /** Requests and HTTP/2 streams refused on connections that arrived while refusing. */
  readonly refused: number;
  /** At the deadline: destroys whatever is still open. */
  destroyAll(): DestroyedCounts;
  uninstall(): void;
}

type Phase = 'serving' | 'draining' | 'closing';

/**
 * Once the listener has closed, an HTTP/1 connection is closed by the server only after it has
 * been idle this long: a client that just got a keep-alive response (or just connected) may
 * already be sending its next request, and closing the connection under it would fail a request
 * the client made correctly. A request that does come is answered with `Connection: close`, which
 * ends the connection cleanly; under steady load every connection ends that way.
 */
export const IDLE_GRACE_MS = 1_000;
/** How often idle connections are looked at while closing. */
const IDLE_SWEEP_MS = 100;

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
export function trackServer(
  server: NetServer,
  closeUpgraded: CloseUpgraded | undefined,
  logger: DrainLogger,
  refuse: { retryAfterSeconds: number } | false,
): ServerTracker {
  const http1 = http1Methods(server);
  let refusal: Refusal | undefined;
  const sockets = new Set<Socket>();
  const responses = new Set<ServerResponse>();
  const sessions = new Set<Http2Session>();
  // HTTP/1 connections (the TLS socket for https): responses in flight, and since when idle.
  const http1Sockets = new Map<Duplex, { active: number; idleSince: number; requests: number }>();
  const upgraded = trackUpgradedSockets(server);
  let phase: Phase = 'serving';
  let sweepTimer: NodeJS.Timeout | undefined;
  let whenClosed: Promise<void> | undefined;
  /** When the backlog was shrunk (backlog.ts); null when it was not. */
  let shrunkAt: number | null = null;
  let listenerClosed = false;
  /** Refusing, nothing in flight: the next accepted connection closes the listener. */
  let closeOnAccept = false;
  /** Closes the listener (once); set by stopAccepting(). */
  let closeListener: (() => void) | undefined;

  const markClose = (response: ServerResponse): void => {
    // Once headers are out the response keeps its keep-alive header; the sweep below closes the
    // connection once it has stayed idle for IDLE_GRACE_MS instead.
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };

  /** Closes the connections that have been idle for IDLE_GRACE_MS; stops once none is left. */
  const sweepIdle = (): void => {
    const now = performance.now();
    for (const [socket, state] of http1Sockets) {
      if (state.active === 0 && now - state.idleSince >= IDLE_GRACE_MS && !upgraded.open.has(socket)) {
        http1Sockets.delete(socket);
        socket.destroy();
      }
    }
    if (http1Sockets.size === 0 && sweepTimer !== undefined) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
  };

  const onNewConnection = (socket: Duplex): void => {
    http1Sockets.set(socket, { active: 0, idleSince: performance.now(), requests: 0 });
    socket.once('close', () => http1Sockets.delete(socket));
  };
  const isTls = server instanceof TlsServer;
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!isTls && http1 !== undefined) onNewConnection(socket);
    // The kernel's queue was emptied by this very accept: the moment to close (refusing, see below).
    if (closeOnAccept) closeListener?.();
  };
  const onSecureConnection = (socket: Duplex): void => {
    if (http1 !== undefined) onNewConnection(socket);
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    // HTTP/2 forbids connection headers; GOAWAY does the same job there.
    if (request.httpVersionMajor >= 2) return;
    const state = http1Sockets.get(request.socket);
    if (state) {
      state.active += 1;
      state.requests += 1;
    }
    responses.add(response);
    response.once('close', () => {
      responses.delete(response);
      if (state) {
        state.active -= 1;
        if (state.active === 0) state.idleSince = performance.now();
      }
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
      // Not earlier: while readiness reports 503 the server still accepts as usual.
      if (refuse !== false && boundItself(server)) {
        refusal = installRefusal(server, refuse.retryAfterSeconds);
        refusal.begin();
        if (shrinkBacklog(server)) shrunkAt = performance.now();
      } else if (server.listening && shrinkBacklog(server)) {
        shrunkAt = performance.now();
      }
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
        const close = () => {
          if (listenerClosed) return;
          listenerClosed = true;
          if (http1 !== undefined) NetServer.prototype.close.call(server, callback);
          else server.close(callback);
        };
        closeListener = close;
        if (refusal !== undefined) {
          // Refusing (refuse.ts) until no request is in flight, and for at least REFUSE_SETTLE_MS
          // since the backlog shrank (the connections queued before are accepted and refused).
          // Then the listener closes as it accepts a connection: with a backlog of 0 the kernel's
          // queue holds one connection at most, and that accept has just taken it. With no
          // connection coming the queue is empty anyway, and the listener closes after a quiet while.
          const since = shrunkAt ?? performance.now();
          const whenIdle = () => {
            if (responses.size > 0 || performance.now() - since < REFUSE_SETTLE_MS) return void setTimeout(whenIdle, BACKLOG_SETTLE_POLL_MS);
            closeOnAccept = true;
            setTimeout(close, REFUSE_QUIET_MS);
          };
          return whenIdle();
        }
        // The connections queued before the backlog shrank are accepted and answered first (backlog.ts).
        if (shrunkAt === null) return close();
        const since = shrunkAt;
        const settled = () => {
          const waited = performance.now() - since;
          // Answered: no request in flight, and no connection accepted whose request has not come yet.
          const answered = responses.size === 0 && ![...http1Sockets.values()].some((s) => s.requests === 0);
          if (waited >= BACKLOG_SETTLE_MAX_MS || (waited >= BACKLOG_SETTLE_MS && answered)) close();
          else setTimeout(settled, BACKLOG_SETTLE_POLL_MS);
        };
        settled();
      });
      if (http1 !== undefined) {
        sweepTimer = setInterval(sweepIdle, IDLE_SWEEP_MS);
        sweepTimer.unref();
        sweepIdle();
      }
      for (const session of sessions) session.close();
      upgraded.onUpgrade(handUpgraded);
      for (const [socket, request] of upgraded.open) handUpgraded(socket, request);
      return whenClosed;
    },

    destroyAll() {
      clearInterval(sweepTimer);
      // Still refusing at the deadline (a request in flight never ended): the listener closes now.
      closeListener?.();
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

    get refused() {
      return refusal?.refused ?? 0;
    },

    uninstall() {
      clearInterval(sweepTimer);
      refusal?.uninstall();
      server.removeListener('connection', onConnection);
      server.removeListener('secureConnection', onSecureConnection);
      server.removeListener('request', onRequest);
      server.removeListener('session', onSession);
      upgraded.uninstall();
    },
  };
}
