import http from 'node:http';

/** How one request ended, as the client saw it. */
export interface LoadOutcome {
  path: string;
  startedAt: number;
  status: number | null;
  body: string;
  /** `request: ECONNREFUSED`, `response: ECONNRESET`, `timeout`, … — null when it was answered. */
  error: string | null;
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

/**
 * Sustained keep-alive load on the example server: `connections` clients, each on its own pooled
 * connection, sending back to back — `GET /slow?ms=<0–200>` and, every third request, `GET /` —
 * recording how every request ended. Nothing is retried: a reset is a failure.
 */
export function startLoad(port: number, options: { connections?: number; timeoutMs?: number } = {}): Load {
  const connections = options.connections ?? 50;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const outcomes: LoadOutcome[] = [];
  let running = true;

  const send = (path: string): Promise<void> => {
    const outcome: LoadOutcome = { path, startedAt: performance.now(), status: null, body: '', error: null };
    outcomes.push(outcome);
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
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
      await send(n % 3 === 2 ? '/' : `/slow?ms=${(index * 37 + n * 53) % 201}`);
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
    },
  };
}
