import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLockError, type LeaseHandle, type LockError, type LockHeldError } from '../../src/redis/index.js';
import { stopAllServers, type ServerProcess } from '../servers.js';
import { startBackend, type BackendName } from './backends.js';

type Acquire = (options: Record<string, unknown>) => Promise<LeaseHandle>;

/** Rejects with a LockError, and returns it. */
export async function lockError(promise: Promise<unknown>): Promise<LockError> {
  try {
    await promise;
  } catch (error) {
    expect(isLockError(error), String(error)).toBe(true);
    return error as LockError;
  }
  throw new Error('expected a rejection');
}

/**
 * The handle interface over a backend, in this process: what a caller sees. `tamper(name)` makes
 * the server forget the lease behind the holder's back (as an operator or a failover would).
 */
export function describeLeaseApi(backend: BackendName, acquireLock: Acquire, tamper: (url: string, name: string) => Promise<void>): void {
  describe(`${backend}: the lease handle`, () => {
    let server: ServerProcess;
    const handles: LeaseHandle[] = [];
    const acquire = async (options: Record<string, unknown>) => {
      const handle = await acquireLock({ url: server.url, ...options });
      handles.push(handle);
      return handle;
    };
    beforeAll(async () => {
      server = await startBackend(backend);
    });
    afterEach(async () => {
      await Promise.allSettled(handles.splice(0).map((h) => h.release()));
    });
    afterAll(stopAllServers);

    it('acquires, refuses a second holder with ELOCKED naming the first, and frees the lease on release', async () => {
      const first = await acquire({ name: 'api', metadata: { port: 4321 } });
      expect(first.isHeld).toBe(true);
      expect(first.remainingMs).toBeGreaterThan(0);
      expect(typeof first.fencingToken).toBe('bigint');
      expect(first.record.pid).toBe(process.pid);
      const error = (await lockError(acquire({ name: 'api' }))) as LockHeldError;
      expect(error.code).toBe('ELOCKED');
      expect(error.holder?.instanceId).toBe(first.record.instanceId);
      expect(error.holder?.metadata).toEqual({ port: 4321 });
      expect(error.message).toMatch(/runs \d+ ms more unless renewed/);
      await first.release();
      expect(first.isHeld).toBe(false);
      await first.release(); // idempotent
      const second = await acquire({ name: 'api' });
      expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
    });

    it('tokens strictly increase over successive holders', async () => {
      const tokens: bigint[] = [];
      for (let i = 0; i < 10; i++) {
        const h = await acquire({ name: 'tokens' });
        tokens.push(h.fencingToken);
        await h.release();
      }
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
    });

    it('renews past its TTL while held', async () => {
      const h = await acquire({ name: 'renews', ttlMs: 300 });
      let renewals = 0;
      h.on('renewed', () => renewals++);
      await new Promise<void>((resolve) => h.on('renewed', () => renewals >= 4 && resolve()));
      expect(h.isHeld).toBe(true);
      expect((await lockError(acquire({ name: 'renews' }))).code).toBe('ELOCKED');
    });

    it('waits for the holder to release, and a waiter can be aborted', async () => {
      const holder = await acquire({ name: 'queue' });
      const controller = new AbortController();
      const aborted = lockError(acquire({ name: 'queue', waitMs: 60_000, pollMs: 20, signal: controller.signal }));
      const waiter = acquire({ name: 'queue', waitMs: 60_000, pollMs: 20 });
      controller.abort();
      expect((await aborted).code).toBe('EABORTED');
      await holder.release();
      const next = await waiter;
      expect(next.fencingToken).toBeGreaterThan(holder.fencingToken);
      const timedOut = (await lockError(acquire({ name: 'queue', waitMs: 200, pollMs: 20 }))) as LockHeldError;
      expect(timedOut.code).toBe('ELOCKED');
      expect(timedOut.waitedMs).toBeGreaterThanOrEqual(200);
    });

    it('reports lost (and compromised) when the server forgets the lease, and stops being held', async () => {
      const seen: string[] = [];
      const h = await acquire({ name: 'forgotten', ttlMs: 600, onCompromised: () => seen.push('option') });
      h.on('compromised', (e) => seen.push(`compromised ${e.code}`));
      const lost = new Promise((resolve) => h.once('lost', resolve));
      await tamper(server.url, 'forgotten');
      const error = (await lost) as LockError;
      expect(error.code).toBe('ECOMPROMISED');
      expect(seen).toEqual(['option', 'compromised ECOMPROMISED']);
      expect(h.isHeld).toBe(false);
      const next = await acquire({ name: 'forgotten' });
      expect(next.fencingToken).toBeGreaterThan(h.fencingToken);
    });

    it('an unreachable server is EBACKEND; while waiting it is asked again until waitMs runs out', async () => {
      const dead = server.url.replace(/:(\d+)(?=\/|$)/, ':1');
      const now = await lockError(acquireLock({ url: dead, name: 'x', commandTimeoutMs: 2_000 }));
      expect(now.code).toBe('EBACKEND');
      const waited = await lockError(acquireLock({ url: dead, name: 'x', waitMs: 300, pollMs: 50, commandTimeoutMs: 2_000 }));
      expect(waited.code).toBe('EBACKEND');
    });

    it('refuses bad options before connecting', async () => {
      const unreachable = server.url.replace(/:(\d+)(?=\/|$)/, ':1');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ url: unreachable, name: '' }, 'EINVALID_NAME'],
        [{ url: unreachable, name: '../x' }, 'EINVALID_NAME'],
        [{ name: 'x' }, 'EINVALID_OPTIONS'],
        [{ url: 'http://example.com', name: 'x' }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', ttlMs: 50 }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', ttlMs: 1_000, renewMs: 950 }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', ttlMs: 1_000, marginMs: 500 }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', waitMs: -1 }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', pollMs: 1.5 }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', commandTimeoutMs: '5s' }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', signal: 'stop' }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', metadata: [1] }, 'EINVALID_OPTIONS'],
        [{ url: unreachable, name: 'x', onCompromised: 1 }, 'EINVALID_OPTIONS'],
      ];
      for (const [options, code] of cases) {
        const error = await lockError(acquireLock(options));
        expect(error.code, JSON.stringify(options)).toBe(code);
      }
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect((await lockError(acquireLock({ url: unreachable, name: 'x', metadata: circular }))).code).toBe('EINVALID_OPTIONS');
    });
  });
}
