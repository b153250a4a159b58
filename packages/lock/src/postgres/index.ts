import { acquireLease } from '../lease/acquire-lease.js';
import type { LeaseHandle } from '../lease/lease-handle.js';
import { resolvePostgresLockOptions, type PostgresLockOptions } from './postgres-options.js';
import { PostgresSession } from './postgres-session.js';

/**
 * Takes a lease in a PostgreSQL lease table (created if missing), or waits up to `waitMs` for it,
 * or rejects with ELOCKED. The handle renews it every `renewMs` over its own connection until
 * `release()`. A connection through a pooler is refused with EPOOLER.
 */
export async function acquireLock(options: PostgresLockOptions): Promise<LeaseHandle> {
  const resolved = resolvePostgresLockOptions(options);
  return acquireLease(resolved, new PostgresSession(resolved));
}

export { POSTGRES_DEFAULTS, type PostgresLockOptions, type ResolvedPostgresLockOptions } from './postgres-options.js';
export * from '../lease/public.js';
