import http from 'node:http';
import net from 'node:net';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A port that was free a moment ago (the example server binds it itself, so it cannot be 0). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** One request with node:http; rejects on a socket error, resolves with any status. */
export function request(url: string, options: { method?: string; agent?: http.Agent | false; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent: options.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url} in time`)));
    req.on('error', reject);
    req.end();
  });
}

/** The example server's `GET /` (its pid and instance), or null while nothing answers. */
export async function whoAnswers(port: number): Promise<{ pid: number; version: string } | null> {
  try {
    const res = await request(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 });
    if (res.status !== 200) return null;
    return JSON.parse(res.body) as { pid: number; version: string };
  } catch (error) {
    // Refused or reset while the server is down or restarting: "nobody answers" is the result.
    if (['ECONNREFUSED', 'ECONNRESET'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}
