import http from 'node:http';

export interface RequestRecord {
  id: string;
  user: number;
  outcome: 'ok' | 'error';
  /** Error code, or 'bad-status'/'bad-body' when the server answered wrongly. */
  code?: string;
  status?: number;
  connection?: string;
  /** The request went out on a pooled keep-alive connection rather than a new one. */
  reusedSocket: boolean;
}

export interface LoadOptions {
  port: number;
  connections: number;
  /** Handler time asked of the server for the n-th request of a user. */
  delayMs: () => number;
}

/**
 * A load client that records how every request ended. Each virtual user owns one keep-alive
 * connection (its own agent with one socket) and sends its next request as soon as the previous
 * one ends. A user stops once a connection is refused: the listener is gone for good.
 */
export function runLoad(options: LoadOptions): { records: RequestRecord[]; stop: () => void; done: Promise<void> } {
  const records: RequestRecord[] = [];
  let stopped = false;
  const users = Array.from({ length: options.connections }, async (_, user) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; !stopped; n++) {
      const id = `u${user}-${n}`;
      const record = await once(options.port, agent, id, user, options.delayMs());
      records.push(record);
      if (record.code === 'ECONNREFUSED') break;
    }
    agent.destroy();
  });
  return {
    records,
    stop: () => {
      stopped = true;
    },
    done: Promise.all(users).then(() => undefined),
  };
}

function once(port: number, agent: http.Agent, id: string, user: number, ms: number): Promise<RequestRecord> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (record: RequestRecord): void => {
      if (settled) return;
      settled = true;
      resolve(record);
    };
    const req = http.get({ host: '127.0.0.1', port, path: `/work?id=${id}&ms=${ms}`, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const base = { id, user, status: res.statusCode, connection: res.headers.connection, reusedSocket: req.reusedSocket };
        if (res.statusCode !== 200) finish({ ...base, outcome: 'error', code: 'bad-status' });
        else if (body !== `ok:${id}`) finish({ ...base, outcome: 'error', code: 'bad-body' });
        else finish({ ...base, outcome: 'ok' });
      });
      res.on('error', (error: NodeJS.ErrnoException) =>
        finish({ id, user, outcome: 'error', code: error.code ?? error.message, reusedSocket: req.reusedSocket }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ id, user, outcome: 'error', code: error.code ?? error.message, reusedSocket: req.reusedSocket }),
    );
  });
}
