import http from 'node:http';

export interface Traffic {
  /** Answers received, by status code. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Requests that got no answer (refused or reset while the server restarts, timeouts). */
  errors(): number;
  /** Stops sending and resolves once every request in flight has ended. */
  stop(): Promise<void>;
}

/**
 * Mixed traffic for the example server's request metrics: `clients` keep-alive clients, each
 * sending `targets` (`"GET /path"`) in turn, back to back, until stopped. A request that gets no
 * answer is counted and the client goes on: the server may be restarting.
 */
export function startTraffic(port: number, targets: string[], options: { clients?: number } = {}): Traffic {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients ?? 2 });
  const statuses = new Map<number, number>();
  let errors = 0;
  let running = true;

  const send = (target: string): Promise<void> => {
    const [method, requestPath] = target.split(' ') as [string, string];
    return new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.set(res.statusCode!, (statuses.get(res.statusCode!) ?? 0) + 1);
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('no answer in time')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  };

  const client = async (): Promise<void> => {
    for (let n = 0; running; n++) {
      const before = errors;
      await send(targets[n % targets.length]!);
      // Refused while the server restarts: wait for the next turn of the event loop's timers
      // rather than spin on connect() failures.
      if (errors !== before) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const clients = Array.from({ length: options.clients ?? 2 }, client);

  return {
    statuses,
    errors: () => errors,
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
    },
  };
}
