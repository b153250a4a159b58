import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, acquireLockSync, DEFAULTS, isLockError, LockHeldError, readLock, resolveRunDir, resolveStateDir } from '../src/index.js';
import { killAll, startHolder, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => {
  killAll();
  cleanup();
});

describe('acquire and release', () => {
  it('takes a free lock, publishes the holder record, and frees it on release', async () => {
    const handle = await acquireLock({ dir, name: 'api', metadata: { port: 3000 } });
    expect(handle.isHeld).toBe(true);
    expect(handle.record).toMatchObject({ pid: process.pid, name: 'api', metadata: { port: 3000 }, version: 1 });
    expect(handle.record.processStartTime).toMatch(/^\d+$/);
    expect(handle.record.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(handle.record.startedAt)).not.toBeNaN();
    // A random version-4 UUID (from /dev/urandom, src/random.ts): one per acquisition.
    expect(handle.record.instanceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const status = await readLock({ dir, name: 'api' });
    expect(status).toMatchObject({ state: 'held', liveness: 'alive', holder: { instanceId: handle.record.instanceId } });

    await handle.release();
    expect(handle.isHeld).toBe(false);
    expect(await readLock({ dir, name: 'api' })).toEqual({ state: 'free', path: path.join(dir, 'api.lock') });
    // No temp, claim or released entries are left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('release is idempotent', async () => {
    const handle = await acquireLock({ dir, name: 'api' });
    await handle.release();
    await handle.release();
    handle.releaseSync();
    const again = await acquireLock({ dir, name: 'api' });
    await handle.release(); // an old handle's release never frees the new holder's lock
    expect((await readLock({ dir, name: 'api' })).state).toBe('held');
    await again.release();
  });

  it('refuses a second holder with ELOCKED carrying the live holder record', async () => {
    const holder = startHolder(dir, 'api', 'hold');
    const acquired = await holder.next('acquired');
    const error = await acquireLock({ dir, name: 'api' }).catch((e: unknown) => e);
    expect(isLockError(error)).toBe(true);
    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.code).toBe('ELOCKED');
    expect(held.holder).toMatchObject({ pid: acquired.pid, metadata: { port: 4321 } });
    expect(held.message).toContain(`pid ${String(acquired.pid)}`);
    expect(held.message).toContain('port 4321');
    expect(held.message).toContain(`kill -TERM ${String(acquired.pid)}`);
    expect(() => acquireLockSync({ dir, name: 'api' })).toThrow(LockHeldError);
  });

  it('waits for a held lock when asked to, and takes it when the holder goes', async () => {
    const holder = startHolder(dir, 'api', 'hold');
    await holder.next('acquired');
    const waiting = acquireLock({ dir, name: 'api', waitMs: 30_000, pollMs: 20 });
    holder.child.kill('SIGTERM');
    const handle = await waiting;
    expect(handle.record.pid).toBe(process.pid);
    await handle.release();
  });

  it('gives up waiting with ELOCKED after waitMs, and with EABORTED on abort', async () => {
    const holder = startHolder(dir, 'api', 'hold');
    await holder.next('acquired');
    const timedOut = await acquireLock({ dir, name: 'api', waitMs: 100, pollMs: 10 }).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: 'ELOCKED' });
    expect((timedOut as LockHeldError).waitedMs).toBeGreaterThanOrEqual(100);

    const controller = new AbortController();
    const waiting = acquireLock({ dir, name: 'api', waitMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'EABORTED' });
  });

  it('creates directories 0700 and records 0600 whatever the umask', async () => {
    const previous = process.umask(0o000);
    try {
      const nested = path.join(dir, 'a', 'b');
      const handle = await acquireLock({ dir: nested, name: 'api' });
      expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
      expect(statSync(nested).mode & 0o777).toBe(0o700);
      expect(statSync(handle.path).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(handle.path, 'holder.json')).mode & 0o777).toBe(0o600);
      await handle.release();
    } finally {
      process.umask(previous);
    }
  });

  it('writes the record atomically: it is complete JSON from the first moment', async () => {
    const handle = await acquireLock({ dir, name: 'api' });
    const text = readFileSync(path.join(handle.path, 'holder.json'), 'utf8');
    expect(JSON.parse(text)).toEqual(handle.record);
    expect(lstatSync(handle.path).isDirectory()).toBe(true);
    await handle.release();
  });

  it('refreshes its heartbeat (the record mtime) while held', async () => {
    const handle = await acquireLock({ dir, name: 'api', heartbeatMs: 20, staleMs: 1000 });
    const file = path.join(handle.path, 'holder.json');
    const first = statSync(file).mtimeMs;
    await expect.poll(() => statSync(file).mtimeMs, { timeout: 5000, interval: 10 }).toBeGreaterThan(first);
    await handle.release();
  });

  it('reports compromise as an event, never a throw, when its lock is removed by hand', async () => {
    const handle = await acquireLock({ dir, name: 'api', heartbeatMs: 20, staleMs: 1000 });
    const compromised = new Promise<Error>((resolve) => handle.once('compromised', resolve));
    const { rmSync } = await import('node:fs');
    rmSync(handle.path, { recursive: true });
    const error = await compromised;
    expect(error).toMatchObject({ code: 'ECOMPROMISED' });
    expect(handle.isHeld).toBe(false);
    await handle.release();
  });

  it('uses the DESIGN directories: SVC_HOME, then XDG, then ~/.svc', () => {
    expect(resolveRunDir({ SVC_HOME: '/x', XDG_RUNTIME_DIR: '/r' })).toBe('/x/run');
    expect(resolveStateDir({ SVC_HOME: '/x', XDG_STATE_HOME: '/s' })).toBe('/x/state');
    expect(resolveRunDir({ XDG_RUNTIME_DIR: '/r' })).toBe('/r/svc');
    expect(resolveStateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/svc');
    expect(resolveRunDir({})).toMatch(/\.svc\/run$/);
    expect(resolveStateDir({})).toMatch(/\.svc\/state$/);
  });

  it('defaults to the run directory when no dir is given', async () => {
    const previous = process.env.SVC_HOME;
    process.env.SVC_HOME = dir;
    try {
      const handle = await acquireLock({ name: 'api' });
      expect(handle.path).toBe(path.join(dir, 'run', 'api.lock'));
      await handle.release();
    } finally {
      if (previous === undefined) delete process.env.SVC_HOME;
      else process.env.SVC_HOME = previous;
    }
    expect(DEFAULTS.staleMs).toBeGreaterThan(DEFAULTS.heartbeatMs * 2);
  });
});
