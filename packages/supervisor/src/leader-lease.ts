import type { ResolvedSupervisorOptions } from './options.js';

/**
 * What the Supervisor uses of a `@svc/lock/redis` or `@svc/lock/postgres` lease handle. Kept
 * structural so that neither backend (nor its client, ioredis or pg) is loaded, or even named in
 * the types, unless a service asks for it.
 */
export interface LeaderLease {
  readonly fencingToken: bigint;
  readonly isHeld: boolean;
  readonly location: string;
  once(event: 'lost', listener: (error: Error) => void): unknown;
  release(): Promise<void>;
}

type AcquireLease = (options: {
  name: string;
  url: string;
  ttlMs: number;
  waitMs: number;
  signal: AbortSignal;
  metadata: Record<string, unknown>;
}) => Promise<LeaderLease>;

/*
 * A standby waits for as long as it lives: @svc/lock takes whole milliseconds, so "forever" is the
 * largest safe integer (285 000 years). Unreachable servers are asked again inside that wait.
 */
const CLIENT_PACKAGE = { redis: 'ioredis', postgres: 'pg' } as const;

const WAIT_FOREVER_MS = Number.MAX_SAFE_INTEGER;

/**
 * Waits for the service's lease; resolves with the handle, rejects with the lock's EABORTED when
 * `signal` aborts, or with its error for anything that waiting cannot fix (a missing client
 * package, options the backend refuses). The backend is imported only here, on first use.
 */
export async function waitForLease(lock: NonNullable<ResolvedSupervisorOptions['lock']>, signal: AbortSignal, metadata: Record<string, unknown>): Promise<LeaderLease> {
  let acquire: AcquireLease;
  try {
    const backend = lock.backend === 'redis' ? await import('@svc/lock/redis') : await import('@svc/lock/postgres');
    acquire = backend.acquireLock;
  } catch (error) {
    const client = CLIENT_PACKAGE[lock.backend];
    throw new Error(`lock.backend "${lock.backend}" needs the ${client} package installed beside @svc/lock (npm i ${client}): ${(error as Error).message}`, { cause: error });
  }
  return acquire({ name: lock.key, url: lock.url, ttlMs: lock.ttlMs, waitMs: WAIT_FOREVER_MS, signal, metadata });
}
