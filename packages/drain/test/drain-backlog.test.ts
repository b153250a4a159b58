import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, killAll, spawnCommand, startFixture } from './helpers/child.js';

afterEach(killAll);

/*
 * Connections the kernel queued on the listening socket when it closes are reset. The drain
 * shrinks that queue first and answers what was queued (backlog.ts). Real sockets, real load; the
 * listen queue's size is read from the kernel with `ss` (Send-Q of a listening socket).
 */

/** The backlog of the socket listening on 127.0.0.1:port, or null when none listens. */
function backlogOf(port: number): number | null {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  if (out === '') return null;
  // State Recv-Q Send-Q Local Peer: for a listening socket Send-Q is its backlog.
  return Number(out.split(/\s+/)[2]);
}

const get = (port: number, path = '/') =>
  new Promise<string>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

describe('the listen backlog at a stop', () => {
  it('clients that open a connection per request and reconnect at once are answered, answered 503 or refused: none is reset', async () => {
    const server = startFixture('backlog-server.mjs', {});
    const { port } = await server.waitFor((e) => e.event === 'listening', 'listening');
    const outcomes: Record<string, number> = {};
    let total = 0;
    const clients = Array.from({ length: 50 }, async () => {
      for (;;) {
        const outcome = await get(port);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        total++;
        if (outcome === 'ECONNREFUSED') return;
      }
    });
    while (total < 500) await new Promise((resolve) => setTimeout(resolve, 5));
    server.signal('SIGTERM');
    await Promise.all(clients);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Each client ends at its first refusal; before it, every request was answered (200, or 503
    // once refusing). A plain server.close() resets 45-49 of these 50 (bench/drain-resets.bench.mjs).
    expect(outcomes.ECONNREFUSED).toBe(50);
    expect(Object.keys(outcomes).filter((o) => !['200', '503', 'ECONNREFUSED'].includes(o))).toEqual([]);
  });

  it('refuseNew: false shrinks the backlog of a socket it bound, and keeps the listener open while a request is in flight', async () => {
    const server = startFixture('backlog-server.mjs', {}, { REFUSE_NEW: '0' });
    const { port, source } = await server.waitFor((e) => e.event === 'listening', 'listening');
    expect(source).toBe('port');
    expect(backlogOf(port)).toBe(511);
    const slow = get(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.signal('SIGTERM');
    let seen: number | null = 511;
    for (const deadline = performance.now() + 5_000; seen !== 0 && performance.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 10))) seen = backlogOf(port);
    expect(seen).toBe(0);
    expect(await slow).toBe('200');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('leaves the backlog of a socket handed over (systemd, svc) as it is: other copies share it', async () => {
    const child = spawnCommand('python3', [fixture('systemd-activate.py'), process.execPath, fixture('backlog-server.mjs')]);
    const { port } = await child.waitFor((e) => e.event === 'listening', 'listening');
    expect((await child.waitFor((e) => e.event === 'listening', 'listening')).source).toBe('systemd');
    // Node's listen({ fd }) sets its own default backlog on the socket it was given.
    expect(backlogOf(port)).toBe(511);
    const slow = get(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.signal('SIGTERM');
    const seen = new Set<number | null>();
    let done = false;
    void slow.then(() => (done = true));
    while (!done) {
      seen.add(backlogOf(port));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect([...seen].filter((backlog) => backlog !== 511 && backlog !== null)).toEqual([]);
    expect(await slow).toBe('200');
  });
});
