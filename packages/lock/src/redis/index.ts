import { acquireLease } from '../lease/acquire-lease.js';
import type { LeaseHandle } from '../lease/lease-handle.js';
import { resolveRedisLockOptions, type RedisLockOptions } from './redis-options.js';
import { RedisSession } from './redis-session.js';

/**
 * Takes a lease on a Redis server, or waits up to `waitMs` for it, or rejects with ELOCKED.
 * The handle renews it every `renewMs` over its own connection until `release()`.
 */
export async function acquireLock(options: RedisLockOptions): Promise<LeaseHandle> {
  const resolved = resolveRedisLockOptions(options);
  return acquireLease(resolved, new RedisSession(resolved));
}

export { REDIS_DEFAULTS, type RedisLockOptions, type ResolvedRedisLockOptions } from './redis-options.js';
export * from '../lease/public.js';
