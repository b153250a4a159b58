import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, isLockError, REDIS_DEFAULTS, type LeaseHandle, type LockError } from '../../src/redis/index.js';
import { describeLeaseApi } from '../lease/api-suite.js';
import { startRedis, stopAllServers, type RedisServer } from '../servers.js';

const withRedis = async <T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> => {
  const r = new Redis(url);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
};
const lockKey = (name: string) => `${REDIS_DEFAULTS.keyPrefix}{${name}}`;

describeLeaseApi('redis', acquireLock as never, (url, name) => withRedis(url, (r) => r.del(lockKey(name)).then(() => undefined)));

describe('redis: hostile data and server specifics', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(stopAllServers);

  const rejectCode = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      expect(isLockError(error)).toBe(true);
      return (error as LockError).code;
    }
    throw new Error('expected a rejection');
  };

  it('a key of another type at the lease key is EBACKEND and is left untouched', async () => {
    await withRedis(server.url, (r) => r.set(lockKey('typed'), 'not a hash'));
    expect(await rejectCode(acquireLock({ url: server.url, name: 'typed' }))).toBe('EBACKEND');
    expect(await withRedis(server.url, (r) => r.get(lockKey('typed')))).toBe('not a hash');
  });

  it('a damaged record is ELOCKED with holder null while its TTL runs, then taken', async () => {
    await withRedis(server.url, (r) => r.multi().hset(lockKey('damaged'), 'owner', 'someone', 'token', '7', 'record', '{garbage').pexpire(lockKey('damaged'), 400).exec());
    try {
      await acquireLock({ url: server.url, name: 'damaged' });
      throw new Error('expected ELOCKED');
    } catch (error) {
      expect((error as LockError).code).toBe('ELOCKED');
      expect((error as { holder: unknown }).holder).toBeNull();
    }
    const h = await acquireLock({ url: server.url, name: 'damaged', waitMs: 10_000, pollMs: 20 });
    await h.release();
  });

  it('a restart without persistence still hands out a larger token (the counter is floored by the server clock)', async () => {
    const volatile = await startRedis({ durable: false });
    let before: LeaseHandle | undefined;
    try {
      before = await acquireLock({ url: volatile.url, name: 'volatile', ttlMs: 3_000 });
      const lost = new Promise((resolve) => before!.once('lost', resolve));
      await volatile.stop('SIGKILL');
      await volatile.restart();
      expect(await withRedis(volatile.url, (r) => r.exists(lockKey('volatile'), `${lockKey('volatile')}:token`))).toBe(0);
      const after = await acquireLock({ url: volatile.url, name: 'volatile', ttlMs: 3_000 });
      expect(after.fencingToken).toBeGreaterThan(before.fencingToken);
      // The old holder learns it at its next renewal: until then both believe they hold the
      // lease — the reason a Redis without persistence is efficiency-grade — and only the
      // fencing token keeps the old one's writes out.
      await lost;
      expect(before.isHeld).toBe(false);
      await after.release();
    } finally {
      await before?.release().catch(() => undefined);
    }
  });

  it('uses a duplicate of a given ioredis client and leaves the client itself alone', async () => {
    const template = new Redis(server.url, { lazyConnect: true });
    try {
      const h = await acquireLock({ client: template, name: 'dup', keyPrefix: 'app:locks:' });
      expect(await withRedis(server.url, (r) => r.hget('app:locks:{dup}', 'owner'))).toBe(h.record.instanceId);
      await h.release();
      expect(template.status).toBe('wait');
    } finally {
      template.disconnect();
    }
  });

  it('refuses a key prefix that would break the hash tag', async () => {
    expect(await rejectCode(acquireLock({ url: server.url, name: 'x', keyPrefix: 'a{b}' }))).toBe('EINVALID_OPTIONS');
    expect(await rejectCode(acquireLock({ url: server.url, client: new Redis({ lazyConnect: true }), name: 'x' }))).toBe('EINVALID_OPTIONS');
  });
});
