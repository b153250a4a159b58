import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from './config.js';
import { logError } from './log.js';
import { QueryError } from './query.js';
import { sendError, sendJson } from './respond.js';
import { SpawnError } from './sleepers.js';

export type Method = 'GET' | 'POST';
export type Route = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void | Promise<void>;
/** Path → method → route. Paths match exactly, as the health endpoints do. */
export type RouteTable = Map<string, Partial<Record<Method, Route>>>;

/** The routes every copy serves. */
export function appRoutes(config: Config): RouteTable {
  return new Map<string, Partial<Record<Method, Route>>>([
    [
      '/',
      {
        GET: (_req, res) =>
          sendJson(res, 200, { name: 'svc-example-server', message: 'hello', version: config.version, instance: config.instance, pid: process.pid }),
      },
    ],
  ]);
}

/**
 * Dispatches a request: the health endpoints first, then `routes`. Unknown paths get 404, known
 * paths with another method 405, bad query values 400 — each as `{ error: { code, message } }`.
 */
export function createRequestListener(routes: RouteTable, healthHandler: (req: IncomingMessage, res: ServerResponse) => boolean) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (healthHandler(req, res)) return;
    // No route reads a body; reading it to the end keeps the connection usable for the next request.
    req.resume();
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = pathOf(target);
    const methods = routes.get(path);
    if (methods === undefined) return sendError(res, 404, 'ENOT_FOUND', `no route ${truncate(path)}`);
    const route: Route | undefined = methods[(req.method === 'HEAD' ? 'GET' : req.method) as Method];
    if (route === undefined) {
      const allowed = Object.keys(methods).flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]));
      return sendError(res, 405, 'EMETHOD', `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
    }
    const fail = (error: unknown): void => failed(res, error);
    try {
      const pending = route(req, res, new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1)));
      if (pending !== undefined) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * The `route` label of a request for `health.instrument()`: the table's path when the request is
 * for one of its paths (whatever the method or the answer), else undefined — @svc/health then
 * names its own probes and counts everything else, 404s and scanners included, as `unmatched`.
 * Paths are exact here, so a known path is its own pattern and the label values are bounded by
 * the table.
 */
export function routePattern(routes: RouteTable): (req: IncomingMessage) => string | undefined {
  return (req) => {
    const path = pathOf(req.url ?? '/');
    return routes.has(path) ? path : undefined;
  };
}

/** The path of a request target: what comes before `?`. */
function pathOf(target: string): string {
  const queryAt = target.indexOf('?');
  return queryAt === -1 ? target : target.slice(0, queryAt);
}

function failed(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof QueryError) return sendError(res, 400, 'EBAD_QUERY', error.message);
  if (error instanceof SpawnError) return sendError(res, 500, 'ESPAWN', error.message);
  // The client learns only that it failed; the details go to the log, never to whoever asked.
  logError(`request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  sendError(res, 500, 'EINTERNAL', 'internal error; see the server log');
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
