import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import { resolveRunDir } from './dirs.js';
import { LockOptionsError, type LockPathError } from './errors.js';
import { validateLockName } from './name.js';
import { HOLDER_FILE, observe } from './observe.js';
import type { LockOptions } from './options.js';
import { currentHostname, isLive, judgeLocalHolder, type Liveness } from './process-identity.js';
import type { LockRecord } from './record.js';

/** What `readLock` found, without taking or changing anything. */
export type LockStatus =
  | { state: 'free'; path: string }
  | {
      /** held: a live holder; stale: its holder is gone and the next acquire takes it over. */
      state: 'held' | 'stale';
      path: string;
      /** The record; null when it is missing or unreadable (then `problem` says why). */
      holder: LockRecord | null;
      liveness: Liveness;
      problem: LockPathError | null;
    };

export type ReadLockOptions = Pick<LockOptions, 'name' | 'dir' | 'staleMs'>;

/** Reads the current holder of a lock without taking it. Creates nothing. */
export function readLockSync(options: ReadLockOptions): LockStatus {
  const name = validateLockName(options?.name);
  const dir = path.resolve(options.dir ?? resolveRunDir());
  const staleMs = options.staleMs ?? DEFAULTS.staleMs;
  if (!Number.isInteger(staleMs) || staleMs < 1) throw new LockOptionsError('EINVALID_OPTIONS', 'staleMs', staleMs, 'an integer ≥ 1 (milliseconds)');
  const lockPath = path.join(dir, `${name}.lock`);
  const seen = observe(lockPath, HOLDER_FILE, staleMs);
  if (seen.kind === 'free') return { state: 'free', path: lockPath };
  return {
    state: isLive(seen.liveness) ? 'held' : 'stale',
    path: lockPath,
    holder: seen.record,
    liveness: seen.liveness,
    problem: seen.problem,
  };
}

export function readLock(options: ReadLockOptions): Promise<LockStatus> {
  return Promise.resolve().then(() => readLockSync(options));
}

/**
 * Whether the process a record names is still that very process: on this host, PID alive, not a
 * zombie, same start time. A record from another host cannot be checked and gives false.
 * Check this before signalling a PID taken from a record.
 */
export function isHolderAlive(holder: LockRecord): boolean {
  return holder.hostname === currentHostname() && judgeLocalHolder(holder) === 'alive';
}
