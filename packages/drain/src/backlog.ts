import type { Server as NetServer } from 'node:net';

/*
 * Why a stop resets connections, and what is done about it. A client's connection completes in the
 * kernel before the server accepts it: it waits in the listening socket's queue (the backlog, up
 * to 511 by default). Closing the listener resets every connection still in that queue — requests
 * the client already sent, which it cannot tell were never processed. Under load (clients that
 * open a connection per request and reconnect at once) that is dozens per stop.
 *
 * So when the drain comes to close the listener (after the readiness delay, during which the
 * server accepts as usual), the queue is shrunk to its least (listen(2) again with a backlog of 0:
 * one waiting connection at most; further connection attempts are dropped, and the client's
 * retransmission a second later finds the listener closed: ECONNREFUSED, safe to retry), and the
 * listener stays open until the connections already queued have been accepted and answered (with
 * `Connection: close`): at least BACKLOG_SETTLE_MS, then until no request is in flight, at most
 * BACKLOG_SETTLE_MAX_MS (within the drain's own timeout). What is left is the one connection that
 * may complete into the queue in the instant before the close.
 *
 * Not for a socket handed over by a supervisor or systemd: that socket is shared with the other
 * instances (and svc's daemon), whose backlog must stay as it is; it is never closed by a drain
 * either (the other copies keep listening), so there is no reset to prevent.
 */

/** The listener stays open after its backlog was shrunk at least this long… */
export const BACKLOG_SETTLE_MS = 100;
/** …and then until no request is in flight nor awaited on a new connection (the queued ones were answered), at most this long. */
export const BACKLOG_SETTLE_MAX_MS = 2_000;
/** Refusing with nothing in flight, the listener closes at the next accept, or after this long without one. */
export const REFUSE_QUIET_MS = 50;
/**
 * Refusing, the listener stays open at least this long after its backlog shrank: longer than TCP's
 * least retransmission timeout (200 ms), so that a connection whose handshake the kernel left
 * half done when the queue was full comes back and is accepted, not reset by the close.
 */
export const REFUSE_SETTLE_MS = 400;
/** How often the requests in flight are looked at while settling. */
export const BACKLOG_SETTLE_POLL_MS = 10;

/** Servers listening on a socket handed over (`listen()` marks them). */
export const handedOver = new WeakSet<NetServer>();

/** Descriptors systemd (or svc) passed to this process at its start, from fd 3 on. */
const inheritedFds = process.env.LISTEN_PID === String(process.pid) ? Number(process.env.LISTEN_FDS) || 0 : 0;

interface ListeningHandle {
  fd?: number;
  listen?: (backlog: number) => number;
}

function listeningHandle(server: NetServer): ListeningHandle | null | undefined {
  return (server as unknown as { _handle?: ListeningHandle | null })._handle;
}

/**
 * True when the server listens on a socket it bound itself: not one handed over by `listen()`
 * (svc) nor one of the descriptors systemd passed. Closing a handed-over socket resets nothing,
 * since its other copies keep listening.
 */
export function boundItself(server: NetServer): boolean {
  if (!server.listening || handedOver.has(server)) return false;
  const fd = listeningHandle(server)?.fd;
  return !(typeof fd === 'number' && fd >= 3 && fd < 3 + inheritedFds);
}

/**
 * Shrinks the server's listen backlog to 0 (Node's handle calls listen(2) again), unless its socket
 * was handed over. True when it was shrunk.
 */
export function shrinkBacklog(server: NetServer): boolean {
  const handle = listeningHandle(server);
  if (!handle || typeof handle.listen !== 'function' || !boundItself(server)) return false;
  try {
    return handle.listen(0) === 0;
  } catch {
    return false;
  }
}
