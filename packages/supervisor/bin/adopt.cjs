'use strict';
/*
 * svc's preload for a Node service with `listen` (`listen.adopt`, on by default for Node
 * commands): loaded first through NODE_OPTIONS (--require), so it works for CommonJS and ES module
 * entry points alike. It makes an app that knows nothing of svc behave as one written for it:
 *
 * - The app's own `listen()` on the service's port takes the socket svc holds (fd 3, LISTEN_FDS)
 *   instead of binding: every instance shares it, and a reload never refuses a connection. The
 *   first server to listen on that port adopts it, whatever host it names (svc's `listen.host`
 *   is the address). A later `listen()` on that port, whatever its host, fails with EADDRINUSE
 *   and binds nothing: a socket of its own would be outside svc, held by one instance only and
 *   fought over at each reload (Fastify's second server for `localhost`'s other address gets
 *   this error, which Fastify ignores). Other ports, port 0, paths and handles are Node's own.
 * - When that server listens, readiness is reported (`readiness: notify` needs no code).
 * - On SIGTERM, when the app has no SIGTERM handler of its own at that moment: the server stops
 *   accepting; HTTP/1 responses in flight get `Connection: close` and idle keep-alive connections
 *   are closed; HTTP/2 sessions get GOAWAY and finish their streams; WebSocket connections get a
 *   close frame 1001 "going away"; the process exits 0 once the last connection has ended, or
 *   when the stop timeout (less half a second) is near. An app that handles SIGTERM is left to
 *   it, and the server's `close()` it calls drains the same way (WebSockets excepted: the app
 *   closes its own).
 *
 * Only the process svc started adopts (LISTEN_PID is its pid); its children find nothing to do.
 */
const net = require('node:net');

const env = process.env;
const port = Number(env.SVC_ADOPT_PORT);
const mine = env.LISTEN_PID === String(process.pid) && Number(env.LISTEN_FDS) >= 1;
// Children of the app (workers, tools it runs) are not services: they load nothing of this.
delete env.SVC_ADOPT_PORT;
if (typeof env.NODE_OPTIONS === 'string') env.NODE_OPTIONS = env.NODE_OPTIONS.replace(/^--require "(?:[^"\\]|\\.)*"\s*/, '');
if (mine && Number.isInteger(port) && port > 0) install();

/** The port a `listen()` call asks for, or null when it names no TCP port (a path, a handle, an fd). */
function portOf(args) {
  let first = args[0];
  if (first !== null && typeof first === 'object') {
    if ('fd' in first || 'path' in first || 'handle' in first || '_handle' in first) return null;
    first = first.port;
  }
  if (typeof first === 'string' && /^\d+$/.test(first)) return Number(first);
  return typeof first === 'number' ? first : null;
}

/** The host a `listen()` call names, if any. */
function hostOf(args) {
  const first = args[0];
  const host = first !== null && typeof first === 'object' ? first.host : args[1];
  return typeof host === 'string' ? host : undefined;
}

function install() {
  const listen = net.Server.prototype.listen;
  let adopted = false;
  net.Server.prototype.listen = function adoptListen(...args) {
    if (portOf(args) !== port) return listen.apply(this, args);
    if (adopted) return refuse(this, hostOf(args));
    adopted = true;
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
    this.once('listening', ready);
    drainOnStop(this);
    // The socket is svc's, bound and listening: of the app's options only an abort signal applies.
    const signal = args[0] !== null && typeof args[0] === 'object' ? args[0].signal : undefined;
    const options = signal ? { fd: 3, signal } : { fd: 3 };
    const callback = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
    return callback ? listen.call(this, options, callback) : listen.call(this, options);
  };
}

/** A second `listen()` on the adopted port: the error Node gives for a port in use, as Node emits it. */
function refuse(server, host) {
  const address = host ?? '::';
  const error = new Error(
    `listen EADDRINUSE: address already in use ${address}:${port} (svc's listen.adopt: this process's first server on port ${port} took the service's socket; a second server cannot bind the port)`,
  );
  Object.assign(error, { code: 'EADDRINUSE', syscall: 'listen', address, port });
  process.nextTick(() => server.emit('error', error));
  return server;
}

function ready() {
  if (env.SVC_NOTIFY === 'ipc' && typeof process.send === 'function' && process.connected) process.send({ svc: 'ready' });
}

/**
 * Once the listener is closed, a keep-alive connection is closed only after it has been idle this
 * long: a client that just got a response may already be sending its next request on it, and a
 * close under that request would reset it. A request that does come gets `Connection: close`.
 */
const IDLE_GRACE_MS = 1_000;

/** RFC 6455 close frame from a server (unmasked): status 1001, "going away". */
const WS_GOING_AWAY = Buffer.from([0x88, 12, 0x03, 0xe9, ...Buffer.from('going away')]);

/** The highest stream id: a GOAWAY naming it stops new streams and still serves those under way. */
const ANY_STREAM = 2 ** 31 - 1;

function drainOnStop(server) {
  // On a TLS server (https, http2's secure server) requests come on the TLS socket, not the TCP one.
  const secure = typeof server.setSecureContext === 'function';
  /** HTTP/1 connections: requests in flight on each, and since when it has been idle. */
  const connections = new Map();
  /** HTTP/1 responses not yet over: they get `Connection: close` when the drain begins. */
  const pending = new Set();
  /** HTTP/2 sessions: each gets GOAWAY when the drain begins. */
  const sessions = new Set();
  /** Connections an `upgrade` listener of the app took (WebSocket, …), with their request. */
  const upgraded = new Map();
  let draining = false;
  let sessionJustMade = false;

  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // The server's own connection listener makes the session before ours sees the connection.
    sessionJustMade = true;
    if (draining) goAway(session);
  });
  server.on(secure ? 'secureConnection' : 'connection', (socket) => {
    if (sessionJustMade) {
      sessionJustMade = false;
      return; // HTTP/2: drained through its session
    }
    connections.set(socket, { active: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req, res) => {
    if (req.httpVersionMajor >= 2) return; // a stream of a session: no connection header in HTTP/2
    const state = connections.get(req.socket);
    if (state) state.active += 1;
    if (draining) res.setHeader('Connection', 'close');
    pending.add(res);
    res.once('close', () => {
      pending.delete(res);
      if (!state) return;
      state.active -= 1;
      state.idleSince = performance.now();
    });
  });
  trackUpgrades(server, (req, socket) => {
    connections.delete(socket);
    upgraded.set(socket, req);
    socket.once('close', () => upgraded.delete(socket));
  });

  const sweep = () => {
    const now = performance.now();
    for (const [socket, state] of connections) if (state.active === 0 && now - state.idleSince >= IDLE_GRACE_MS) socket.destroy();
  };
  let sweeping = null;
  /** Stops taking connections and ends those there are, gently; `callback` once the last has closed. */
  const drain = (callback) => {
    if (!draining) {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
      for (const session of sessions) goAway(session);
      sweeping = setInterval(sweep, 100).unref();
      sweep();
    }
    // The listener only: http.Server#close() would also close idle connections at once.
    return net.Server.prototype.close.call(server, callback);
  };

  // The app's own close() (in its SIGTERM handler, NestJS's app.close(), …) drains too.
  server.close = function close(callback) {
    return drain(callback);
  };

  let stopping = false;
  const onTerm = () => {
    if (process.listenerCount('SIGTERM') > 1) {
      // The app's own handler decides. Ours goes, so that an app that raises SIGTERM again once
      // it is done (NestJS's shutdown hooks do) dies of it as it means to.
      process.removeListener('SIGTERM', onTerm);
      return;
    }
    if (stopping) return;
    stopping = true;
    const timeoutMs = Number(env.SVC_STOP_TIMEOUT_MS);
    const limit = Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.max(timeoutMs - 500, 100) : 10_000;
    setTimeout(() => process.exit(0), limit).unref();
    drain(() => process.exit(0));
    for (const [socket, req] of upgraded) closeUpgraded(socket, req);
    // Alive until the last connection has ended: Node lets an HTTP/2 session with no stream open
    // end with the process, though its client may be sending one.
    sweeping.ref();
  };
  // First, so that it sees every handler of the app, `once` ones included, when the signal comes.
  process.prependListener('SIGTERM', onTerm);
}

/**
 * Calls `onUpgrade(req, socket)` for each connection an `upgrade` listener of the app takes. Node
 * answers an upgrade request as a plain request when no `upgrade` listener exists, so ours is
 * there only while the app has one (a WebSocket library adds its own, often after listen()).
 */
function trackUpgrades(server, onUpgrade) {
  let attached = false;
  const listener = (req, socket) => onUpgrade(req, socket);
  server.on('newListener', (event, added) => {
    if (event !== 'upgrade' || added === listener || attached) return;
    attached = true;
    server.prependListener('upgrade', listener);
  });
  server.on('removeListener', (event, removed) => {
    if (event !== 'upgrade' || removed === listener || !attached || server.listenerCount('upgrade') !== 1) return;
    attached = false;
    server.removeListener('upgrade', listener);
  });
  if (server.listenerCount('upgrade') > 0) {
    attached = true;
    server.prependListener('upgrade', listener);
  }
}

/**
 * A WebSocket connection gets the close frame its server would send going down (1001); the
 * client answers with its own and the app's WebSocket library ends the connection, or the
 * connection is cut after the grace. Other upgraded protocols stay open until the process exits.
 */
function closeUpgraded(socket, req) {
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !socket.writable) return;
  socket.write(WS_GOING_AWAY);
  setTimeout(() => socket.destroy(), IDLE_GRACE_MS).unref();
}

/**
 * HTTP/2's graceful shutdown (RFC 9113, 6.8): a first GOAWAY naming the highest stream id tells the
 * client to open no more streams here while any it has already sent are still served. A client
 * answers with a GOAWAY of its own, on which Node closes the session; one that does not has it
 * closed after the grace. close() sends the final GOAWAY with the last stream received and ends
 * the session once its streams are done. A request the client had queued but not sent when the
 * first GOAWAY came is refused by its own HTTP/2 library (REFUSED_STREAM: not processed, which
 * clients retry on a new connection).
 */
function goAway(session) {
  if (session.closed || session.destroyed) return;
  session.goaway(0, ANY_STREAM);
  setTimeout(() => session.close(), IDLE_GRACE_MS).unref();
}
