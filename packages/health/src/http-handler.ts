import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { CheckRegistry, CheckResult } from './check-registry.js';
import type { ResponseCode } from './codes.js';
import { createTokenCheck } from './detailed-auth.js';
import type { HealthMetrics } from './metrics.js';
import { ENDPOINT_NAMES, type EndpointName, type HealthLogger, type ResolvedHealthOptions } from './options.js';
import { detailedBody, overallStatus, stateBody, summaryBody } from './report.js';
import type { HealthState } from './state.js';

/**
 * A node:http request listener that answers only its own paths and returns true when it did.
 * The optional third argument makes it Express/Connect middleware as it is: other paths go to
 * `next()`.
 */
export type HealthRequestListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => boolean;

export interface HandlerContext {
  options: Pick<ResolvedHealthOptions, 'paths' | 'detailed'>;
  checks: CheckRegistry;
  metrics: HealthMetrics;
  registry: Registry;
  logger: HealthLogger;
  state: () => HealthState;
  hasBeenReady: () => boolean;
  /** Told of each request the handler answers, with the path it matched (for request metrics). */
  answered: (req: IncomingMessage, path: string) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOW = 'GET, HEAD';

export function createHttpHandler(context: HandlerContext): HealthRequestListener {
  const { options, checks, metrics, registry, logger } = context;
  const routes = new Map<string, EndpointName>();
  for (const name of ENDPOINT_NAMES) {
    const path = options.paths[name];
    // A detailed endpoint that is off is not ours at all: the app's own 404 answers it.
    if (path === false || (name === 'detailed' && options.detailed === false)) continue;
    routes.set(path, name);
  }
  const authorized = typeof options.detailed === 'object' ? createTokenCheck(options.detailed.token) : () => true;

  // /health is what a probe storm hits: its body is built once per change of results or state.
  let summary: { version: number; state: HealthState; statusCode: number; body: string } | undefined;
  const answerHealth = (res: ServerResponse, head: boolean, results: readonly CheckResult[]) => {
    const state = context.state();
    if (summary === undefined || summary.version !== checks.version || summary.state !== state) {
      const status = overallStatus(results);
      summary = { version: checks.version, state, statusCode: status === 'fail' ? 503 : 200, body: summaryBody(status, state, results) };
    }
    send(res, head, summary.statusCode, summary.body);
  };

  const answerReady = (res: ServerResponse, head: boolean, results: readonly CheckResult[]) => {
    const state = context.state();
    const ready = state === 'ready' && overallStatus(results) !== 'fail';
    send(res, head, ready ? 200 : 503, stateBody(ready ? 'pass' : 'fail', state));
  };

  /** Answers from the cache when every result is fresh, so a cached probe costs no promise. */
  const withResults = (res: ServerResponse, answer: (results: readonly CheckResult[]) => void) => {
    if (checks.isFresh()) {
      answer(checks.cachedResults());
      return;
    }
    checks.runAll().then(answer, (error: unknown) => failed(res, 'checks', error));
  };

  const failed = (res: ServerResponse, what: string, error: unknown) => {
    logger.warn(`@svc/health: ${what} failed: ${(error as Error)?.message ?? String(error)}`, { code: 'EHEALTH_INTERNAL' });
    send(res, false, 500, errorBody('EHEALTH_INTERNAL'));
  };

  return function healthHandler(req, res, next) {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const endpoint = routes.get(path);
    if (endpoint === undefined) {
      if (typeof next === 'function') next();
      return false;
    }
    context.answered(req, path);
    const head = req.method === 'HEAD';
    if (!head && req.method !== 'GET') {
      send(res, false, 405, errorBody('EMETHOD'), JSON_TYPE, { allow: ALLOW });
      return true;
    }
    metrics.countProbe(endpoint);

    switch (endpoint) {
      case 'health':
        withResults(res, (results) => answerHealth(res, head, results));
        break;
      case 'ready':
        // Not ready by state: no need to run a single check.
        if (context.state() !== 'ready') send(res, head, 503, stateBody('fail', context.state()));
        else withResults(res, (results) => answerReady(res, head, results));
        break;
      case 'alive':
        // Liveness never depends on checks: a database outage must not get the pod restarted.
        // A wedged process fails this probe by not answering at all.
        send(res, head, 200, stateBody('pass', context.state()));
        break;
      case 'startup': {
        const started = context.hasBeenReady();
        send(res, head, started ? 200 : 503, stateBody(started ? 'pass' : 'fail', context.state()));
        break;
      }
      case 'detailed':
        if (!authorized(req)) {
          send(res, head, 401, errorBody('EUNAUTHORIZED'), JSON_TYPE, { 'www-authenticate': 'Bearer realm="health"' });
          break;
        }
        checks.runAll().then(
          (results) => {
            const status = overallStatus(results);
            send(res, head, status === 'fail' ? 503 : 200, detailedBody(status, context.state(), results, process.uptime() * 1000));
          },
          (error: unknown) => failed(res, 'checks', error),
        );
        break;
      case 'metrics':
        registry.metrics().then(
          (text) => send(res, head, 200, text, registry.contentType),
          (error: unknown) => failed(res, 'metrics', error),
        );
        break;
    }
    return true;
  };
}

function errorBody(code: ResponseCode): string {
  return JSON.stringify({ status: 'fail', code });
}

function send(res: ServerResponse, head: boolean, statusCode: number, body: string, contentType = JSON_TYPE, extra?: Record<string, string>): void {
  // The client may have gone while checks ran.
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(statusCode, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  if (head) res.end();
  else res.end(body);
}
