import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAllServers, type ServerProcess } from '../servers.js';
import { startBackend, type BackendName } from './backends.js';
import { startFencedResource, type FencedResource } from './fenced-resource.js';
import { killFixtures, startFixture } from './processes.js';
import { startTcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait-for.js';

/*
 * The same contention scenarios against each backend's real server: real processes (fixtures),
 * real signals, a real TCP proxy to cut, and a fenced resource in this process that records every
 * write on one clock. Figures (cut → lost, cut → takeover) are printed for the guide, never asserted
 * as durations; the assertions are orderings, lower bounds and counts, which load cannot break.
 */
export function describeContention(backend: BackendName): void {
  describe(`${backend}: contention between real processes`, () => {
    let server: ServerProcess;
    const fences: FencedResource[] = [];
    const fence = async () => {
      const f = await startFencedResource();
      fences.push(f);
      return f;
    };
    const leader = (name: string, ttlMs: number, f: FencedResource, who: string, url = server.url) =>
      startFixture('lease-leader.mjs', [backend, url, name, String(ttlMs), String(f.port), who]);

    beforeAll(async () => {
      server = await startBackend(backend);
    });
    afterEach(async () => {
      killFixtures();
      await Promise.all(fences.splice(0).map((f) => f.close()));
    });
    afterAll(stopAllServers);

    it('race: 4 processes × 3 connections, 5 rounds each: one holder at a time, tokens strictly increasing', async () => {
      const f = await fence();
      const workers = Array.from({ length: 4 }, () => startFixture('lease-race.mjs', [backend, server.url, 'race', String(f.port), '3', '5']));
      await Promise.all(workers.map((w) => w.next('done')));
      expect(f.turnViolations).toEqual([]);
      expect(f.turns).toBe(4 * 3 * 5);
    });

    it('paused holder: SIGSTOP for 2 × TTL, a standby takes over, SIGCONT: the old holder reports lost and its token is refused; no overlap over 4 cycles', async () => {
      const ttlMs = 1_000;
      const f = await fence();
      let current = leader('paused', ttlMs, f, 'a');
      const first = await current.next('acquired');
      let standby = leader('paused', ttlMs, f, 'b');
      let currentToken = BigInt(first.token!);
      for (let cycle = 0; cycle < 4; cycle++) {
        const holderToken = currentToken;
        await waitFor('the holder to write', () => f.attempts.some((a) => a.token === holderToken));
        const standbyMark = standby.events.length;
        const currentMark = current.events.length;
        current.child.kill('SIGSTOP');
        const stoppedAt = performance.now();
        const taken = await standby.next('acquired', standbyMark);
        // The scenario itself: the holder stays paused for twice its TTL in all.
        await sleep(Math.max(0, stoppedAt + 2 * ttlMs - performance.now()));
        current.child.kill('SIGCONT');
        const lost = await current.next('lost', currentMark);
        expect(BigInt(lost.token!)).toBe(holderToken);
        expect(BigInt(taken.token!)).toBeGreaterThan(holderToken);
        if (cycle === 0) {
          // It knows it lost the lease; a write carrying its old token is refused anyway.
          const mark = current.events.length;
          current.send('forced-write');
          const forced = await current.next('forced-write', mark);
          expect(forced.accepted).toBe(false);
        }
        currentToken = BigInt(taken.token!);
        [current, standby] = [standby, current];
      }
      await waitFor('the last holder to write', () => f.attempts.some((a) => a.token === currentToken));
      expect(f.overlaps()).toEqual([]);
      const intervals = f.intervals();
      expect(intervals.length).toBe(5);
      for (let i = 1; i < intervals.length; i++) expect(intervals[i - 1]!.toMs).toBeLessThan(intervals[i]!.fromMs);
      const forced = f.attempts.filter((a) => a.forced);
      expect(forced.map((a) => a.accepted)).toEqual([false]);
    });

    it('partition: the holder cut off from the server demotes itself; the other side acquires only after the lease expired', async () => {
      const ttlMs = 1_500;
      const f = await fence();
      const proxy = await startTcpProxy(server.port);
      try {
        const h = leader('partition', ttlMs, f, 'h', proxy.url(server.url));
        const held = await h.next('acquired');
        await h.next('renewed');
        const c = leader('partition', ttlMs, f, 'c');
        await waitFor('the holder to write', () => f.attempts.some((a) => a.who === 'h'));
        const cutAt = Date.now();
        proxy.cut();
        const lost = await h.next('lost');
        const taken = await c.next('acquired');
        const lastRenewal = h.events.filter((e) => e.event === 'renewed').at(-1)!;
        expect(BigInt(taken.token!)).toBeGreaterThan(BigInt(held.token!));
        // The server cannot have expired the lease before the last renewal's send time + TTL
        // (the 5 ms cover rounding between the two processes' clock readings).
        expect(taken.at).toBeGreaterThanOrEqual((lastRenewal.leaseUntil as number) - 5);
        expect(f.overlaps()).toEqual([]);
        console.log(`${backend} partition (TTL ${ttlMs} ms): cut → holder lost ${lost.at - cutAt} ms, cut → other side acquired ${taken.at - cutAt} ms, holder lost ${taken.at - lost.at} ms before the takeover`);
      } finally {
        await proxy.close();
      }
    });

    it('server restart: the holder recovers or reports lost, and never two holders write', async () => {
      const ttlMs = 3_000;
      const f = await fence();
      const h = leader('restart', ttlMs, f, 'h');
      const held = await h.next('acquired');
      const c = leader('restart', ttlMs, f, 'c');
      await waitFor('the holder to write', () => f.attempts.some((a) => a.who === 'h'));
      await server.stop('SIGKILL');
      await (server as ServerProcess & { restart(): Promise<void> }).restart();
      const restartedAt = performance.now();
      // Settled: either the holder renewed again after the restart, or it lost and the standby took over.
      const mark = h.events.length;
      const outcome = await Promise.race([
        h.next('renewed', mark).then(() => 'recovered' as const),
        h.next('lost', mark).then(() => 'lost' as const),
      ]);
      if (outcome === 'lost') {
        const taken = await c.next('acquired');
        expect(BigInt(taken.token!)).toBeGreaterThan(BigInt(held.token!));
        await waitFor('the new holder to write', () => f.attempts.some((a) => a.who === 'c'));
      } else {
        expect(h.events.some((e) => e.event === 'lost')).toBe(false);
        await waitFor('the holder to write after the restart', () => f.attempts.some((a) => a.who === 'h' && a.atMs > restartedAt));
        expect(c.events.some((e) => e.event === 'acquired')).toBe(false);
      }
      expect(f.overlaps()).toEqual([]);
      console.log(`${backend} restart (TTL ${ttlMs} ms, durable server): holder ${outcome}`);
    });
  });
}
