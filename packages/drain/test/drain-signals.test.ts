import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { forkFixture, killAll, startFixture, type Child } from './helpers/child.js';

afterEach(killAll);

function get(port: number, path: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

/** Sends a request and waits until the server's handler has started it. */
async function inFlight(child: Child, port: number, id: string, ms: number) {
  const response = get(port, `/work?id=${id}&ms=${ms}`).then(
    (value) => ({ ...value, code: undefined }),
    (error: NodeJS.ErrnoException) => ({ status: 0, body: '', connection: undefined, code: error.code }),
  );
  await child.waitFor((e) => e.event === 'start' && e.id === id, `start of ${id}`);
  return { response };
}

describe('signals', () => {
  it('a second signal during the drain exits at once with 128 + the signal number', async () => {
    const child = startFixture('server.mjs', { timeoutMs: 60_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const { response } = await inFlight(child, port, 'slow', 60_000);
    child.signal('SIGTERM');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'closing', 'closing');
    child.signal('SIGTERM');
    // Without the second-signal exit, this would wait for the 60 s request and fail the test's timeout.
    expect(await child.exited).toEqual({ code: 143, signal: null });
    expect(child.events.some((e) => e.event === 'warn' && /second SIGTERM/.test(e.message))).toBe(true);
    expect((await response).code).toBe('ECONNRESET');
  });

  it('SIGINT drains too, and a SIGINT then SIGTERM pair is a second signal', async () => {
    const child = startFixture('server.mjs', { timeoutMs: 60_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    await inFlight(child, port, 'slow', 60_000);
    child.signal('SIGINT');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'draining' && e.data.reason === 'SIGINT', 'draining on SIGINT');
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: 143, signal: null });
  });

  it('drains on the supervisor shutdown message, tells it STOPPING, and ignores foreign messages', async () => {
    const child = forkFixture('server.mjs', {}, { SVC_NOTIFY: 'ipc' });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    for (const garbage of [null, 'shutdown', 42, [], { svc: 'shutdown ' }, { svc: { svc: 'shutdown' } }, { type: 'shutdown' }]) {
      child.process.send(garbage as never);
    }
    // Still serving after the garbage: a request sent after it is answered with keep-alive.
    const after = await get(port, '/work?id=after-garbage&ms=0');
    expect(after.status).toBe(200);
    expect(child.events.some((e) => e.event === 'phase' && e.phase === 'draining')).toBe(false);

    const { response } = await inFlight(child, port, 'flight', 400);
    child.process.send({ svc: 'shutdown' });
    expect(await child.waitForMessage((m) => m?.svc === 'stopping')).toEqual({ svc: 'stopping' });
    expect(await response).toMatchObject({ status: 200, body: 'ok:flight', connection: 'close' });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.find((e) => e.event === 'phase' && e.phase === 'draining')?.data.reason).toBe('supervisor');
  });

  it('a signal and the shutdown message together (as the supervisor sends them) are one request, not two', async () => {
    const child = forkFixture('server.mjs', {}, { SVC_NOTIFY: 'ipc' });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const { response } = await inFlight(child, port, 'flight', 500);
    child.process.send({ svc: 'shutdown' });
    child.signal('SIGTERM');
    expect(await response).toMatchObject({ status: 200, body: 'ok:flight', connection: 'close' });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.some((e) => e.event === 'warn')).toBe(false);
  });
});

describe('readiness ordering', () => {
  it('/ready turns 503 before the listener closes while /alive stays 200 until the drain refuses new connections', async () => {
    const child = startFixture('server.mjs', { readinessDelayMs: 1_000, timeoutMs: 5_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    type Sample = { path: string; status: number | string };
    const samples: Sample[] = [];
    const poll = async (path: string): Promise<void> => {
      for (;;) {
        const sample = await get(port, path).then(
          (r) => ({ path, status: r.status }),
          (error: NodeJS.ErrnoException) => ({ path, status: error.code ?? 'error' }),
        );
        samples.push(sample);
        if (sample.status === 'ECONNREFUSED') return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const polling = Promise.all([poll('/ready'), poll('/alive')]);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (samples.filter((s) => s.path === '/ready' && s.status === 200).length >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.signal('SIGTERM');
    await polling;
    await child.exited;

    const ready = samples.filter((s) => s.path === '/ready').map((s) => s.status);
    const alive = samples.filter((s) => s.path === '/alive').map((s) => s.status);
    // The listener closed at the first connection-level error; from there on nothing answers.
    const closedAt = (list: Array<number | string>) => list.findIndex((s) => typeof s === 'string');
    for (const list of [ready, alive]) {
      expect(list.slice(closedAt(list)).every((s) => typeof s === 'string')).toBe(true);
      expect(list.at(-1)).toBe('ECONNREFUSED');
    }
    // /ready: 200 … 200, then 503 at least once before the listener closed.
    const first503 = ready.indexOf(503);
    expect(first503).toBeGreaterThan(0);
    expect(closedAt(ready)).toBeGreaterThan(first503);
    expect(ready.slice(0, first503).every((s) => s === 200)).toBe(true);
    expect(ready.slice(first503, closedAt(ready)).every((s) => s === 503)).toBe(true);
    // /alive: 200 while /ready said 503 (the readiness delay); then, once the drain refuses new
    // connections (refuseNew), 503 until the listener closed — never anything else.
    const aliveOpen = alive.slice(0, closedAt(alive));
    const refusedFrom = aliveOpen.indexOf(503);
    expect(aliveOpen.slice(0, refusedFrom === -1 ? undefined : refusedFrom).every((s) => s === 200)).toBe(true);
    if (refusedFrom !== -1) expect(aliveOpen.slice(refusedFrom).every((s) => s === 503)).toBe(true);
    const firstReady503 = samples.findIndex((s) => s.path === '/ready' && s.status === 503);
    expect(samples.slice(firstReady503).some((s) => s.path === '/alive' && s.status === 200)).toBe(true);
    expect(child.events.filter((e) => e.event === 'health').map((e) => e.state)).toEqual(['draining', 'stopped']);
  });
});
