import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseCommand } from '../base-command.js';
import { connect } from '../daemon.js';
import { getState, postAction, sendJson, streamEvents, streamLogs, type ApiContext } from './api.js';
import { ASSET_PATHS, loadAssets, type AssetPath } from './assets.js';
import { createGuard, isRefusal, newToken, SECURITY_HEADERS, sendText } from './guard.js';
import { createHub } from './hub.js';
import { urlHost } from './loopback.js';

/*
 * `svc ui`: a page on a loopback port showing what `svc monit` shows, on node:http alone. Every
 * request passes the guard (guard.ts: Host, token, Origin) before its route; the page's files
 * come from memory (assets.ts); the daemon is reached through one shared feed (hub.ts) however
 * many pages are open.
 */

export interface UiOptions {
  command: BaseCommand;
  /** A loopback address (loopback.ts checked it). */
  address: string;
  /** 0: a free port. */
  port: number;
}

export interface UiServer {
  url: string;
  port: number;
  token: string;
  /** Stops serving: every stream ends, the daemon connection closes. */
  close(): Promise<void>;
}

type Route = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export async function startUi(options: UiOptions): Promise<UiServer> {
  const assets = loadAssets();
  // Before serving: a daemon of another version is said as every command says it.
  const hub = createHub(await connect());
  const ctx: ApiContext = { hub, command: options.command };

  const asset =
    (at: AssetPath): Route =>
    (_ctx, _req, res) => {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': assets[at].type });
      res.end(assets[at].body);
    };
  const routes: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
    ...Object.fromEntries(ASSET_PATHS.map((at) => [at, { GET: asset(at) }])),
    '/api/state': { GET: (c, _req, res) => getState(c, res) },
    '/api/events': { GET: (c, req, res) => streamEvents(c, req, res) },
    '/api/logs': { GET: streamLogs },
    '/api/action': { POST: (c, req, res) => postAction(c, req, res) },
  };

  let guard: ReturnType<typeof createGuard> | null = null;
  const server = http.createServer((req, res) => {
    // Requests are answered once the port (which the guard's Host check names) is known.
    if (guard === null) return sendText(res, 503, 'svc ui is starting\n');
    const url = new URL(req.url ?? '/', 'http://svc-ui.invalid');
    const verdict = guard.check(req, url);
    if (isRefusal(verdict)) return sendText(res, verdict.status, verdict.text);
    const route = routes[url.pathname];
    if (!route) return sendText(res, 404, `no ${url.pathname} here\n`);
    const handler = route[req.method as 'GET' | 'POST'];
    if (!handler) return sendText(res, 405, `${req.method} is not answered here\n`, { Allow: Object.keys(route).join(', ') });
    // The token seen in the URL becomes the cookie the page's own requests carry.
    if (verdict.viaQuery) res.setHeader('Set-Cookie', guard.cookie());
    Promise.resolve(handler(ctx, req, res, url)).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { ok: false, error: { code: 'EUNKNOWN', message: error instanceof Error ? error.message : String(error) } });
    });
  });
  // An SSE stream is a request that never ends: no timeout may cut it.
  server.requestTimeout = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = urlHost(options.address);
  const token = newToken();
  guard = createGuard(token, port, [`${host}:${port}`, `localhost:${port}`]);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Streams and kept-alive sockets would hold close() open for ever.
        server.closeAllConnections();
        await Promise.all([closed, hub.close()]);
      })();
      return closing;
    },
  };
}
