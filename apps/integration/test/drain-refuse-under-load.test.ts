import http from 'node:http';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * A service without `listen` binds its own port, so its listener closes at every stop. 50 clients
 * that open a new connection per request (Connection: close) and send the next one at once, while
 * svc stops, restarts and reloads the example server (@svc/drain, refuseNew by default): no
 * request may end in a reset. Each ends answered (200), refused by the draining server (503 with
 * Retry-After, never seen by the app) or refused by the kernel (ECONNREFUSED) — all safe to retry.
 */

const CLIENTS = 50;

/** One request on a fresh connection; what it became. */
function once(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/slow?ms=20', agent: false }, (res) => {
      const retryAfter = res.headers['retry-after'];
      res.resume();
      res.on('end', () => resolve(res.statusCode === 503 && retryAfter === undefined ? '503 without Retry-After' : String(res.statusCode)));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(`response ${error.code ?? error.message}`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Runs the clients until `done()`; counts each outcome. */
function load(port: number, done: () => boolean): { outcomes: Record<string, number>; finished: Promise<unknown> } {
  const outcomes: Record<string, number> = {};
  const client = async () => {
    while (!done()) {
      const outcome = await once(port);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      // A refused connection is retried after a pause, as a client would; answers at once.
      if (outcome === 'ECONNREFUSED') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { outcomes, finished: Promise.all(Array.from({ length: CLIENTS }, client)) };
}

const unsafe = (outcomes: Record<string, number>) => Object.entries(outcomes).filter(([outcome]) => !['200', '503', 'ECONNREFUSED'].includes(outcome));

it('svc restart, svc reload and svc stop under 50 clients opening a connection per request: no request is reset', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { stop: { timeout: '20s' } }) } });
  await sb.ok(['start', 'web']);

  for (const command of ['restart', 'reload'] as const) {
    let stop = false;
    const run = load(port, () => stop);
    await waitUntil('the load to be flowing', () => (run.outcomes['200'] ?? 0) >= 300);
    const result = await sb.svc([command, 'web']);
    expect(result.code, result.stderr).toBe(0);
    // Served again by the new instance, then the clients stop.
    const answeredBefore = run.outcomes['200'] ?? 0;
    await waitUntil('the new instance to answer', () => (run.outcomes['200'] ?? 0) >= answeredBefore + 200);
    stop = true;
    await run.finished;
    expect(unsafe(run.outcomes), `${command}: ${JSON.stringify(run.outcomes)}`).toEqual([]);
    // The old instance drained while clients kept coming: they were refused, not reset.
    expect((run.outcomes['503'] ?? 0) + (run.outcomes.ECONNREFUSED ?? 0), `${command}: ${JSON.stringify(run.outcomes)}`).toBeGreaterThan(0);
  }

  let stopped = false;
  const run = load(port, () => stopped);
  await waitUntil('the load to be flowing', () => (run.outcomes['200'] ?? 0) >= 300);
  await sb.ok(['stop', 'web']);
  // Every client finds the port closed after the stop.
  const refusedAtStop = run.outcomes.ECONNREFUSED ?? 0;
  await waitUntil('the port to refuse', () => (run.outcomes.ECONNREFUSED ?? 0) >= refusedAtStop + CLIENTS);
  stopped = true;
  await run.finished;
  expect(unsafe(run.outcomes), `stop: ${JSON.stringify(run.outcomes)}`).toEqual([]);
  expect(run.outcomes['503'] ?? 0, `stop: ${JSON.stringify(run.outcomes)}`).toBeGreaterThan(0);
});
