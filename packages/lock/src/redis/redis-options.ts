import type { Redis } from 'ioredis';
import { LockOptionsError } from '../errors.js';
import { resolveLeaseOptions, type LeaseOptions, type ResolvedLeaseOptions } from '../lease/lease-options.js';

/** Defaults of the Redis backend's own options. The docs' table is checked against this object. */
export const REDIS_DEFAULTS = {
  /** Prepended to every key: `<prefix>{<name>}` is the lease, `<prefix>{<name>}:token` its counter. */
  keyPrefix: 'svc:lock:',
} as const;

export interface RedisLockOptions extends LeaseOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. Each handle opens its own connection. */
  url?: string;
  /** An ioredis client to copy the connection settings from (`client.duplicate()`); it is never used or closed itself. */
  client?: Redis;
  keyPrefix?: string;
}

export interface ResolvedRedisLockOptions extends ResolvedLeaseOptions {
  url: string | undefined;
  client: Redis | undefined;
  keyPrefix: string;
  lockKey: string;
  tokenKey: string;
}

export function resolveRedisLockOptions(options: RedisLockOptions): ResolvedRedisLockOptions {
  const lease = resolveLeaseOptions(options);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'url', url, 'exactly one of url (a redis:// URL) or client (an ioredis client)');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/./.test(url))) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'url', url, 'a redis:// or rediss:// URL');
  }
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function')) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'client', client, 'an ioredis client (with duplicate())');
  }
  const keyPrefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
  // eslint-disable-next-line no-control-regex
  if (typeof keyPrefix !== 'string' || /[{}\u0000-\u001f]/.test(keyPrefix) || keyPrefix.length > 200) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'keyPrefix', keyPrefix, 'a string of at most 200 characters without "{", "}" or control characters');
  }
  const lockKey = `${keyPrefix}{${lease.name}}`;
  return { ...lease, url, client, keyPrefix, lockKey, tokenKey: `${lockKey}:token` };
}
