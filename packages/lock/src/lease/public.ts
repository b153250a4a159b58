// What both lease backends export besides their own acquireLock and options.
export { LeaseHandle, type LeaseHandleEvents } from './lease-handle.js';
export type { LeaseOptions, ResolvedLeaseOptions } from './lease-options.js';
export { LEASE_DEFAULTS, RENEW_FRACTION, MARGIN_FRACTION, MIN_TTL_MS } from './lease-defaults.js';
export type { LockRecord } from '../record.js';
export {
  ERROR_CODES,
  LockError,
  LockHeldError,
  LockOptionsError,
  LockCompromisedError,
  LockAbortedError,
  LockBackendError,
  LockPoolerError,
  isLockError,
  type LockErrorCode,
} from '../errors.js';
