import type { Config } from './config.js';
import { blockEventLoopForever } from './block-event-loop.js';
import { createMemoryHoard } from './memory-hoard.js';
import { integerParam } from './query.js';
import { sendJson } from './respond.js';
import type { Method, Route, RouteTable } from './routes.js';
import { spawnSleepers } from './sleepers.js';

/** Upper bounds of the test routes' parameters: enough for any test, too little to take the host down by accident. */
export const TEST_ROUTE_LIMITS = {
  /** `GET /slow?ms=N`: the longest answer delay. */
  slowMs: 60_000,
  /** `POST /leak?mb=N`: the most MiB one request adds. */
  leakMb: 1_024,
} as const;

/**
 * Routes that misbehave on request, served only with `SVC_EXAMPLE_TEST_ROUTES=1`: the faults a
 * supervisor exists for (crash, hang, leak, stray children), a slow request for drain tests and a
 * failing one for error metrics.
 */
export function testRoutes(config: Config): RouteTable {
  const hoard = createMemoryHoard();
  return new Map<string, Partial<Record<Method, Route>>>([
    [
      '/slow',
      {
        GET: (_req, res, query) => {
          const ms = integerParam(query, 'ms', 0, TEST_ROUTE_LIMITS.slowMs);
          const timer = setTimeout(() => sendJson(res, 200, { sleptMs: ms }), ms);
          // A client that went away needs no answer; its timer must not hold a drain open.
          res.once('close', () => clearTimeout(timer));
        },
      },
    ],
    [
      '/crash',
      {
        POST: (_req, res) => {
          sendJson(res, 200, { crashing: true, pid: process.pid }, { connection: 'close' });
          res.once('finish', () => {
            // An uncaught exception, as a real bug would throw: stack on stderr, exit code 1.
            setImmediate(() => {
              throw new Error('crash requested by POST /crash');
            });
          });
        },
      },
    ],
    [
      '/hang',
      {
        POST: (_req, res) => {
          sendJson(res, 200, { hanging: true, pid: process.pid }, { connection: 'close' });
          res.once('finish', () => setImmediate(blockEventLoopForever));
        },
      },
    ],
    [
      '/leak',
      {
        POST: (_req, res, query) => {
          const mb = integerParam(query, 'mb', 1, TEST_ROUTE_LIMITS.leakMb);
          hoard.grow(mb);
          sendJson(res, 200, { retainedBytes: hoard.retainedBytes, rssBytes: process.memoryUsage.rss() });
        },
      },
    ],
    [
      '/spawn',
      {
        POST: async (_req, res) => {
          const pids = await spawnSleepers();
          sendJson(res, 200, pids);
        },
      },
    ],
    [
      '/fail',
      {
        // A bug in a route, as the server meets one: 500 EINTERNAL, the stack in the log. What an
        // error-ratio panel or alert needs to see move.
        GET: () => {
          throw new Error('failure requested by GET /fail');
        },
      },
    ],
    ['/version', { GET: (_req, res) => sendJson(res, 200, { version: config.version }) }],
  ]);
}
