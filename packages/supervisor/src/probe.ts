import { createRequire } from 'node:module';
import { connect } from 'node:net';

/*
 * node:http and node:https are loaded with require(), and only once a service has an HTTP probe:
 * an ES `import` of node:http makes Node build its whole namespace, which loads the bundled
 * fetch/WebSocket client too (≈ 60 ms of a daemon's boot on a small machine, for nothing when no
 * service probes over HTTP).
 */
const requireBuiltin = createRequire(import.meta.url);
const httpRequestFor = (url: string): typeof import('node:http').request =>
  url.startsWith('https:') ? (requireBuiltin('node:https') as typeof import('node:https')).request : (requireBuiltin('node:http') as typeof import('node:http')).request;

/** One GET; true on a 2xx answer within timeoutMs. The connection is not kept alive. */
export function probeHttp(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpRequestFor(url)(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    request.on('timeout', () => request.destroy(new Error('probe timeout')));
    request.on('error', () => resolve(false));
    request.end();
  });
}

/** true when a TCP connection to host:port is accepted within timeoutMs. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
