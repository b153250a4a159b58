'use strict';
/*
 * svc's preload for a Node service with `listen` (`listen.adopt`, on by default for Node
 * commands): loaded first through NODE_OPTIONS (--require), so it works for CommonJS and ES module
 * entry points alike. It makes an app that knows nothing of svc behave as one written for it:
 *
 * - The app's own `listen()` on the service's port takes the socket svc holds (fd 3, LISTEN_FDS)
 *   instead of binding: every instance shares it, and a reload never refuses a connection. The
 *   first server to listen on that port adopts it, whatever host it names (svc's `listen.host`
 *   is the address); other ports, port 0, paths and handles are left to Node as they are.
 * - When that server listens, readiness is reported (`readiness: notify` needs no code).
 * - On SIGTERM, when the app has no SIGTERM handler of its own at that moment: the server stops
 *   accepting, requests in flight are answered with `Connection: close`, idle keep-alive
 *   connections are closed, and the process exits 0 once the last connection has ended, or when
 *   the stop timeout (less half a second) is near. An app that handles SIGTERM is left to it.
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

function install() {
  const listen = net.Server.prototype.listen;
  let adopted = false;
  net.Server.prototype.listen = function adoptListen(...args) {
    if (adopted || portOf(args) !== port) return listen.apply(this, args);
    adopted = true;
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
    this.once('listening', ready);
    drainOnStop(this);
    const callback = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
    return callback ? listen.call(this, { fd: 3 }, callback) : listen.call(this, { fd: 3 });
  };
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

function drainOnStop(server) {
  /** Each connection: requests in flight on it, and since when it has been idle. */
  const connections = new Map();
  /** Responses not yet over: they get `Connection: close` when the stop comes. */
  const pending = new Set();
  let stopping = false;
  server.on('connection', (socket) => {
    connections.set(socket, { active: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req, res) => {
    const state = connections.get(req.socket);
    if (state) state.active += 1;
    if (stopping) res.setHeader('Connection', 'close');
    res.once('close', () => {
      if (!state) return;
      state.active -= 1;
      state.idleSince = performance.now();
    });
    pending.add(res);
    res.once('close', () => pending.delete(res));
  });
  const sweep = () => {
    const now = performance.now();
    for (const [socket, state] of connections) if (state.active === 0 && now - state.idleSince >= IDLE_GRACE_MS) socket.destroy();
    if (connections.size === 0) process.exit(0);
  };
  const onTerm = () => {
    // The app's own handler decides (it was added before or after this one).
    if (process.listenerCount('SIGTERM') > 1 || stopping) return;
    stopping = true;
    for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
    const timeoutMs = Number(env.SVC_STOP_TIMEOUT_MS);
    const limit = Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.max(timeoutMs - 500, 100) : 10_000;
    setTimeout(() => process.exit(0), limit).unref();
    // The listener only (http.Server#close() would also close idle connections at once).
    net.Server.prototype.close.call(server);
    setInterval(sweep, 100);
    sweep();
  };
  process.on('SIGTERM', onTerm);
}
