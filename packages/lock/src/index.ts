export { acquireLock, acquireLockSync } from './acquire.js';
export { readLock, readLockSync, isHolderAlive, type LockStatus, type ReadLockOptions } from './read.js';
export { LockHandle, type LockHandleEvents } from './handle.js';
export type { LockOptions, ResolvedLockOptions } from './options.js';
export type { LockRecord } from './record.js';
export { RECORD_VERSION } from './record.js';
export type { Liveness } from './process-identity.js';
export { resolveRunDir, resolveStateDir, ensurePrivateDir } from './dirs.js';
export { DEFAULTS, MAX_NAME_BYTES } from './defaults.js';
export {
  ERROR_CODES,
  LockError,
  LockHeldError,
  LockPathError,
  LockOptionsError,
  LockCompromisedError,
  LockAbortedError,
  isLockError,
  type LockErrorCode,
} from './errors.js';
