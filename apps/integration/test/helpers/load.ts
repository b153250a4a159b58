import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';

/** How one request ended, as the client saw it. */
export interface LoadOutcome {
  path: string;
  startedAt: number;
  status: number | null;
  body: string;
  /** `request: ECONNREFUSED`, `response: ECONNRESET`, `timeout`, … — null when it was answered. */
  error: string | null;
  /** HTTP/2: how many times the request was refused unprocessed and sent again (see h2Clients). */
  notProcessed?: number;
}

export interface Load {
  readonly outcomes: readonly LoadOutcome[];
  /** Requests answered with a 2xx. */
  answered(): number;
  /** Every request that did not end in a 2xx: errors, refusals, resets, timeouts, other statuses. */
  failed(): LoadOutcome[];
  /** Refused connections (ECONNREFUSED) among the failures. */
  refused(): LoadOutcome[];
  /** Answers of `GET /` that started at or after `since` (performance.now()), parsed. */
  identities(since: number): Array<{ pid: number; version: string; instance: string | null }>;
  /** Stops sending and resolves once every request in flight has ended. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  connections?: number;
  timeoutMs?: number;
  /**
   * `http` (default): HTTP/1.1 keep-alive; `https`: the same over TLS; `h2`: HTTP/2 over TLS, each
   * client with its own session (one connection, its requests one after another as streams).
   */
  protocol?: 'http' | 'https' | 'h2';
  /** The certificate that `https` and `h2` trust (a test's self-signed one). */
  ca?: string;
}

/**
 * Sustained keep-alive load on the example server: `connections` clients, each on its own pooled
 * connection, sending back to back — `GET /slow?ms=<0–200>` and, every third request, `GET /` —
 * recording how every request ended. Nothing is retried: a reset is a failure (but for HTTP/2
 * streams the server did not process, which the protocol lets a client send again: h2Clients).
 */
export function startLoad(port: number, options: LoadOptions = {}): Load {
  const connections = options.connections ?? 50;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const protocol = options.protocol ?? 'http';
  const agent =
    protocol === 'https' ? new https.Agent({ keepAlive: true, maxSockets: connections, ca: options.ca }) : new http.Agent({ keepAlive: true, maxSockets: connections });
  const outcomes: LoadOutcome[] = [];
  let running = true;
  const h2 = protocol === 'h2' ? h2Clients(port, connections, options.ca) : null;

  const send = (path: string, index: number): Promise<void> => {
    const outcome: LoadOutcome = { path, startedAt: performance.now(), status: null, body: '', error: null };
    outcomes.push(outcome);
    if (h2) return h2.send(index, path, outcome, timeoutMs);
    return new Promise((resolve) => {
      const get = protocol === 'https' ? https.get : http.get;
      const req = get({ host: '127.0.0.1', port, path, agent }, (res) => {
        outcome.status = res.statusCode ?? null;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (outcome.body += chunk));
        res.on('end', () => resolve());
        res.on('error', (error: NodeJS.ErrnoException) => {
          outcome.error = `response: ${error.code ?? error.message}`;
          resolve();
        });
      });
      req.setTimeout(timeoutMs, () => {
        outcome.error = 'timeout: no answer';
        req.destroy();
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        outcome.error ??= `request: ${error.code ?? error.message}`;
        resolve();
      });
    });
  };

  const client = async (index: number): Promise<void> => {
    for (let n = 0; running; n++) {
      await send(n % 3 === 2 ? '/' : `/slow?ms=${(index * 37 + n * 53) % 201}`, index);
    }
  };
  const clients = Array.from({ length: connections }, (_, i) => client(i));

  const isFailure = (o: LoadOutcome) => o.error !== null || o.status === null || o.status < 200 || o.status > 299;
  return {
    outcomes,
    answered: () => outcomes.filter((o) => !isFailure(o)).length,
    failed: () => outcomes.filter(isFailure),
    refused: () => outcomes.filter((o) => o.error?.includes('ECONNREFUSED')),
    identities: (since) =>
      outcomes
        .filter((o) => o.path === '/' && o.startedAt >= since && !isFailure(o))
        .map((o) => JSON.parse(o.body) as { pid: number; version: string; instance: string | null }),
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      h2?.close();
    },
  };
}

/**
 * HTTP/2 clients as a browser is one: a session per client, reused while it is open. A session
 * the server sent GOAWAY on takes no new stream (Node closes it on a GOAWAY without error), so the
 * next request opens a new session. A stream the server did not process is sent again on a new
 * session, as RFC 9113 (8.7) lets a client do, and counted in `notProcessed`: one above the last
 * stream id of the server's GOAWAY, one refused with REFUSED_STREAM, one made on a session already
 * closed by GOAWAY. Any other reset, a session that failed under a stream, a refused connection,
 * a stream the server had processed and did not answer: failures.
 */
function h2Clients(port: number, count: number, ca: string | undefined) {
  const sessions: Array<http2.ClientHttp2Session | null> = Array.from({ length: count }, () => null);
  /** The lowest last stream id of the GOAWAYs each session got: streams above it were not processed. */
  const lastProcessed = new WeakMap<http2.ClientHttp2Session, number>();
  const sessionOf = (index: number): http2.ClientHttp2Session => {
    const open = sessions[index];
    if (open && !open.closed && !open.destroyed) return open;
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
    // A session's error also ends its streams, each recording it; nothing more to do here.
    session.on('error', () => undefined);
    session.on('goaway', (_code, lastStreamId: number) => lastProcessed.set(session, Math.min(lastProcessed.get(session) ?? lastStreamId, lastStreamId)));
    sessions[index] = session;
    return session;
  };
  /** One stream; resolves true when the server did not process it and it may be sent again. */
  const attempt = (index: number, path: string, outcome: LoadOutcome, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const session = sessionOf(index);
      const stream = session.request({ ':path': path });
      let error: string | null = null;
      let status: number | null = null;
      let body = '';
      stream.setEncoding('utf8');
      stream.setTimeout(timeoutMs, () => {
        error = 'timeout: no answer';
        stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('error', (e: NodeJS.ErrnoException) => (error ??= `stream: ${e.code ?? e.message}`));
      stream.on('close', () => {
        const last = lastProcessed.get(session);
        const notProcessed =
          status === null &&
          (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM ||
            error === 'stream: ERR_HTTP2_GOAWAY_SESSION' ||
            (last !== undefined && (stream.id === undefined || stream.id > last)));
        if (notProcessed) return resolve(true);
        if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) error ??= `stream: reset with code ${stream.rstCode}`;
        if (status === null) error ??= `stream: closed unanswered (stream ${stream.id}, GOAWAY's last stream ${last ?? 'none'}, session ${session.destroyed ? 'destroyed' : session.closed ? 'closed' : 'open'})`;
        Object.assign(outcome, { status, body, error });
        resolve(false);
      });
      stream.end();
    });
  return {
    async send(index: number, path: string, outcome: LoadOutcome, timeoutMs: number): Promise<void> {
      for (let tries = 1; await attempt(index, path, outcome, timeoutMs); tries++) {
        outcome.notProcessed = tries;
        if (tries === 5) {
          outcome.error = 'stream: not processed, 5 times';
          return;
        }
      }
    },
    close(): void {
      for (const session of sessions) session?.destroy();
    },
  };
}
