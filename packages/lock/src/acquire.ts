import { setTimeout as sleep } from 'node:timers/promises';
import { ensurePrivateDir } from './dirs.js';
import { LockAbortedError, LockHeldError } from './errors.js';
import { LockHandle } from './handle.js';
import { resolveLockOptions, type LockOptions, type ResolvedLockOptions } from './options.js';
import { attemptAcquire, type AttemptResult } from './protocol.js';
import { createRecord } from './record.js';

/**
 * Takes the lock or throws `LockHeldError` (ELOCKED) naming the live holder. With `waitMs`, waits
 * that long for the holder to go, looking again every `pollMs`.
 */
export async function acquireLock(options: LockOptions): Promise<LockHandle> {
  const resolved = resolveLockOptions(options);
  ensurePrivateDir(resolved.dir);
  const started = performance.now();
  for (;;) {
    if (resolved.signal?.aborted) throw new LockAbortedError(resolved.name, { cause: resolved.signal.reason });
    const { handle, result } = tryOnce(resolved);
    if (handle) return handle;
    const waitedMs = Math.round(performance.now() - started);
    if (waitedMs >= resolved.waitMs) throw held(resolved, result, resolved.waitMs === 0 ? 0 : waitedMs);
    // A little jitter keeps a queue of waiters from polling in step.
    const delay = Math.min(resolved.pollMs * (0.75 + Math.random() / 2), resolved.waitMs - waitedMs);
    try {
      await sleep(Math.max(1, delay), undefined, { signal: resolved.signal });
    } catch (error) {
      throw new LockAbortedError(resolved.name, { cause: error });
    }
  }
}

/** Takes the lock at once or throws; for a server that must decide before it starts listening. */
export function acquireLockSync(options: Omit<LockOptions, 'waitMs' | 'pollMs' | 'signal'>): LockHandle {
  const resolved = resolveLockOptions({ ...options, waitMs: 0 });
  ensurePrivateDir(resolved.dir);
  const { handle, result } = tryOnce(resolved);
  if (handle) return handle;
  throw held(resolved, result, 0);
}

function tryOnce(resolved: ResolvedLockOptions): { handle: LockHandle; result: null } | { handle: null; result: Extract<AttemptResult, { acquired: false }> } {
  const record = createRecord(resolved.name, resolved.metadata);
  const result = attemptAcquire({
    dir: resolved.dir,
    name: resolved.name,
    lockPath: resolved.lockPath,
    record,
    recordText: `${JSON.stringify(record, null, 2)}\n`,
    staleMs: resolved.staleMs,
  });
  if (result.acquired) return { handle: new LockHandle(resolved, record), result: null };
  return { handle: null, result };
}

function held(resolved: ResolvedLockOptions, result: Extract<AttemptResult, { acquired: false }>, waitedMs: number): LockHeldError {
  return new LockHeldError({
    lockName: resolved.name,
    lockPath: resolved.lockPath,
    holder: result.holder,
    waitedMs,
    ...(result.why ? { why: result.why } : {}),
  });
}
