import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startFixture } from './helpers/child.js';
import { runLoad } from './helpers/load-client.js';

afterEach(killAll);

describe('graceful stop under load', () => {
  it('answers every request it accepted, with Connection: close once draining, refuses new connections, and exits in time', async () => {
    const timeoutMs = 5_000;
    const server = startFixture('server.mjs', { timeoutMs, readinessDelayMs: 300 });
    const { port } = await server.waitFor((e) => e.event === 'ready', 'ready');

    const load = runLoad({ port, connections: 60, delayMs: () => Math.floor(Math.random() * 501) });
    // Mid-run: the load is up to speed when a few hundred handlers have started.
    await server.waitFor(() => server.events.filter((e) => e.event === 'start').length >= 300, '300 requests', 60_000);
    const signalledAt = Date.now();
    server.signal('SIGTERM');
    const exit = await server.exited;
    const exitMs = Date.now() - signalledAt;
    await load.done;

    const events = server.events;
    const drainingAt = events.findIndex((e) => e.event === 'phase' && e.phase === 'draining');
    const closingAt = events.findIndex((e) => e.event === 'phase' && e.phase === 'closing');
    expect(drainingAt).toBeGreaterThan(0);
    expect(closingAt).toBeGreaterThan(drainingAt);

    const started = new Map<string, number>();
    const ended = new Map<string, number>();
    events.forEach((e, index) => {
      if (e.event === 'start') started.set(e.id, index);
      if (e.event === 'end') ended.set(e.id, index);
    });
    const byId = new Map(load.records.map((record) => [record.id, record]));

    // Server-side cross-check: every handler that started also finished its response.
    expect([...started.keys()].filter((id) => !ended.has(id))).toEqual([]);

    // Every request the server accepted (its handler started) ended well at the client.
    const failedAccepted = [...started.keys()].filter((id) => byId.get(id)?.outcome !== 'ok');
    expect(failedAccepted.map((id) => byId.get(id))).toEqual([]);

    // In flight at the signal: started before draining began, ended after. There must be some
    // (the signal came mid-run), and all of them completed.
    const inFlight = [...started].filter(([id, at]) => at < drainingAt && (ended.get(id) ?? -1) > drainingAt).map(([id]) => id);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((id) => byId.get(id)?.outcome !== 'ok')).toEqual([]);

    // Every response completed after the drain began carries Connection: close.
    const endedWhileDraining = [...ended].filter(([, at]) => at > drainingAt).map(([id]) => byId.get(id)!);
    expect(endedWhileDraining.length).toBeGreaterThan(0);
    expect(endedWhileDraining.filter((record) => record.connection !== 'close')).toEqual([]);

    // Requests that failed were never seen by the server: refused connections, or (rarely) a
    // request written to a connection at the very moment it was closed as idle.
    const failed = load.records.filter((record) => record.outcome === 'error');
    expect(failed.filter((record) => started.has(record.id))).toEqual([]);
    const refused = failed.filter((record) => record.code === 'ECONNREFUSED').length;
    const resetUnseen = failed.length - refused;
    expect(refused).toBeGreaterThan(0);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(timeoutMs + 1_000);

    console.log(
      `load: ${load.records.length} requests, ${started.size} accepted, ${inFlight.length} in flight at SIGTERM, 0 failed among accepted; ` +
        `${refused} connections refused after close, ${resetUnseen} unseen requests reset; exit after ${exitMs} ms`,
    );
  });
});
