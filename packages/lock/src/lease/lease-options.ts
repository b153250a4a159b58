import { LockOptionsError, type LockCompromisedError } from '../errors.js';
import { validateLockName } from '../name.js';
import { checkCallback, checkMetadata, checkOptionsObject, checkSignal, integer } from '../option-checks.js';
import { LEASE_DEFAULTS, MARGIN_FRACTION, MIN_TTL_MS, RENEW_FRACTION } from './lease-defaults.js';

/** Options every lease backend takes. */
export interface LeaseOptions {
  /** The lock's name: one lease per name per server (and key prefix or table). */
  name: string;
  /** What the holder publishes in its record for others to read (port, health URL, version). Must be JSON. */
  metadata?: Record<string, unknown>;
  /** How long the server keeps a lease that is not renewed. */
  ttlMs?: number;
  /** How often the holder renews. Default: `ttlMs / 3`. */
  renewMs?: number;
  /** The holder reports `lost` this long before the earliest moment the server could expire its lease. Default: `ttlMs / 10`. */
  marginMs?: number;
  /** `acquireLock` only: how long to wait for a held lease before ELOCKED. 0 fails at once. */
  waitMs?: number;
  /** `acquireLock` only: how often a waiting acquire asks again. */
  pollMs?: number;
  /** `acquireLock` only: stops waiting with EABORTED. */
  signal?: AbortSignal;
  /** How long one command may take before its connection is dropped and whatever it did is undone. */
  commandTimeoutMs?: number;
  /** Called (never thrown) when the lease stops being ours while held. Same as the handle's `lost` event. */
  onCompromised?: (error: LockCompromisedError) => void;
}

export interface ResolvedLeaseOptions {
  name: string;
  metadata: Record<string, unknown>;
  ttlMs: number;
  renewMs: number;
  marginMs: number;
  waitMs: number;
  pollMs: number;
  signal: AbortSignal | undefined;
  commandTimeoutMs: number;
  onCompromised: ((error: LockCompromisedError) => void) | undefined;
}

/** Validates and fills the options every backend shares, before anything connects. */
export function resolveLeaseOptions(options: LeaseOptions): ResolvedLeaseOptions {
  checkOptionsObject(options);
  const name = validateLockName(options.name);
  const metadata = checkMetadata(options.metadata ?? {});
  const ttlMs = integer('ttlMs', options.ttlMs ?? LEASE_DEFAULTS.ttlMs, MIN_TTL_MS);
  const marginMs = integer('marginMs', options.marginMs ?? Math.round(ttlMs * MARGIN_FRACTION), 0);
  if (marginMs * 2 >= ttlMs) throw new LockOptionsError('EINVALID_OPTIONS', 'marginMs', marginMs, `less than half of ttlMs (${ttlMs / 2})`);
  const renewMs = integer('renewMs', options.renewMs ?? Math.round(ttlMs * RENEW_FRACTION), 10);
  if (renewMs >= ttlMs - marginMs) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'renewMs', renewMs, `less than ttlMs - marginMs (${ttlMs - marginMs}), so a renewal can land before the lease counts as lost`);
  }
  const waitMs = integer('waitMs', options.waitMs ?? LEASE_DEFAULTS.waitMs, 0);
  const pollMs = integer('pollMs', options.pollMs ?? LEASE_DEFAULTS.pollMs, 1);
  const commandTimeoutMs = integer('commandTimeoutMs', options.commandTimeoutMs ?? LEASE_DEFAULTS.commandTimeoutMs, 10);
  checkSignal(options.signal);
  checkCallback('onCompromised', options.onCompromised);
  return { name, metadata, ttlMs, renewMs, marginMs, waitMs, pollMs, signal: options.signal, commandTimeoutMs, onCompromised: options.onCompromised };
}
