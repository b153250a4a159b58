import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2Constants, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';

/*
 * Refusing, the drain's last phase for a listener the process bound itself (refuse.ts, used by
 * server-tracker.ts). Closing a listening socket resets the connections the kernel has queued on
 * it, and a client cannot tell whether a reset request ran. So once the readiness delay is over the
 * listener stays open: a connection accepted from then on is answered, not served — HTTP/1 with
 * `503`, `Retry-After` and `Connection: close` once its request has been read (a response before
 * the request is read would end in a reset too), HTTP/2 with GOAWAY and each of its streams
 * refused (REFUSED_STREAM, which a client may always retry). The requests in flight on earlier
 * connections are served as before. When none is left the listener closes, right after the event
 * loop accepted what was queued, so what can still be reset is a connection completing in that
 * instant. The app's own listeners never see a refused request: the server's `emit` is wrapped
 * for `request`, `checkContinue`, `checkExpectation`, `upgrade` and `stream` while refusing.
 */

/** Events whose first arguments carry a request the app would otherwise get. */
const HTTP1_EVENTS = new Set<string | symbol>(['request', 'checkContinue', 'checkExpectation']);

export interface Refusal {
  /** From now on, connections and HTTP/2 sessions that arrive are refused. */
  begin(): void;
  /** Requests and HTTP/2 streams refused so far. */
  readonly refused: number;
  uninstall(): void;
}

const BODY = 'Service Unavailable: this server is shutting down\n';

export function installRefusal(server: NetServer, retryAfterSeconds: number): Refusal {
  // Sockets (the TLS socket for https) and HTTP/2 sessions that arrived after begin().
  const late = new WeakSet<object>();
  let refusing = false;
  let refused = 0;
  // Kept to be called with the server as `this` (Reflect.apply below) and put back at uninstall.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalEmit = server.emit;

  const markSocket = (socket: Duplex): void => {
    if (refusing) late.add(socket);
  };
  const markSession = (session: Http2Session): void => {
    if (refusing) late.add(session);
  };

  const answer503 = (request: IncomingMessage, response: ServerResponse): void => {
    refused += 1;
    // Read the request to its end: closing with unread bytes would reset the connection.
    request.resume();
    response.shouldKeepAlive = false;
    response.writeHead(503, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(BODY),
      'Retry-After': String(retryAfterSeconds),
      Connection: 'close',
    });
    response.end(BODY);
  };

  const refuseUpgrade = (socket: Duplex): void => {
    refused += 1;
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfterSeconds}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
    );
  };

  const intercept = function (this: NetServer, event: string | symbol, ...args: unknown[]): boolean {
    if (HTTP1_EVENTS.has(event)) {
      const [request, response] = args as [IncomingMessage, ServerResponse];
      if (request.httpVersionMajor < 2 && late.has(request.socket)) {
        answer503(request, response);
        return true;
      }
    } else if (event === 'upgrade') {
      const socket = args[1] as Duplex;
      if (late.has(socket)) {
        refuseUpgrade(socket);
        return true;
      }
    } else if (event === 'stream') {
      const stream = args[0] as ServerHttp2Stream;
      if (stream.session !== undefined && late.has(stream.session)) {
        refused += 1;
        stream.close(http2Constants.NGHTTP2_REFUSED_STREAM);
        return true;
      }
    }
    return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
  };

  return {
    begin() {
      if (refusing) return;
      refusing = true;
      // Prepended: a connection is marked before any other listener can start reading from it.
      server.prependListener('connection', markSocket);
      server.prependListener('secureConnection', markSocket);
      server.prependListener('session', markSession);
      server.emit = intercept;
    },
    get refused() {
      return refused;
    },
    uninstall() {
      server.removeListener('connection', markSocket);
      server.removeListener('secureConnection', markSocket);
      server.removeListener('session', markSession);
      // Only ours is taken off: whatever wrapped emit after us stays as it is.
      if (server.emit === intercept) server.emit = originalEmit;
    },
  };
}
