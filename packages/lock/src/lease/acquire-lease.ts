import { setTimeout as sleep } from 'node:timers/promises';
import { isLockError, LockAbortedError, LockBackendError, LockHeldError } from '../errors.js';
import { createRecord, type LockRecord } from '../record.js';
import { LeaseHandle } from './lease-handle.js';
import type { ResolvedLeaseOptions } from './lease-options.js';
import type { AcquireOutcome, LeaseSession } from './lease-session.js';

/**
 * Takes the lease or throws `LockHeldError` (ELOCKED) naming the holder. With `waitMs`, asks again
 * every `pollMs` (±25 % jitter) until then, so standbys queue behind the holder. While waiting, a
 * server that cannot be reached (EBACKEND) is asked again too; the last such error is thrown if the
 * wait runs out. The session becomes the handle's; on failure it is closed, and an acquire whose
 * answer never came is undone first.
 */
export async function acquireLease(options: ResolvedLeaseOptions, session: LeaseSession): Promise<LeaseHandle> {
  const record = createRecord(options.name, options.metadata);
  const started = performance.now();
  let lastHeld: Extract<AcquireOutcome, { acquired: false }> | undefined;
  let lastError: LockBackendError | undefined;
  let unanswered = false;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new LockAbortedError(options.name, { cause: options.signal.reason });
      const sentAt = performance.now();
      try {
        const outcome = await session.tryAcquire(record, options.ttlMs, options.commandTimeoutMs);
        if (outcome.acquired) {
          if (performance.now() < sentAt + options.ttlMs - options.marginMs) {
            return new LeaseHandle(options, session, record, outcome.fencingToken, sentAt);
          }
          // The answer came so late that the lease may already be expiring: give it back.
          await session.release(outcome.fencingToken, options.commandTimeoutMs);
          lastError = new LockBackendError({ backend: session.backend, location: session.location, what: 'the server granted the lease too late to use it', timedOut: true });
        } else {
          lastHeld = outcome;
          lastError = undefined;
        }
      } catch (error) {
        if (!(isLockError(error) && error.code === 'EBACKEND')) throw error;
        lastError = error as LockBackendError;
        if (lastError.timedOut) unanswered = true;
      }
      const waitedMs = Math.round(performance.now() - started);
      if (waitedMs >= options.waitMs) throw lastError ?? held(options, session, lastHeld, options.waitMs === 0 ? 0 : waitedMs);
      const delay = Math.min(options.pollMs * (0.75 + Math.random() / 2), options.waitMs - waitedMs);
      try {
        await sleep(Math.max(1, delay), undefined, { signal: options.signal });
      } catch (error) {
        throw new LockAbortedError(options.name, { cause: error });
      }
    }
  } catch (error) {
    await giveUp(session, record, unanswered, options.commandTimeoutMs);
    throw error;
  }
}

async function giveUp(session: LeaseSession, record: LockRecord, unanswered: boolean, timeoutMs: number): Promise<void> {
  try {
    // An acquire that timed out may still have taken the lease on the server: take it back by owner.
    if (unanswered) await session.releaseOwner(record.instanceId, timeoutMs);
  } catch {
    // The server is unreachable: a lease that attempt may have taken expires there within ttlMs,
    // and no handle was ever given out for it, so nobody acts under it.
  } finally {
    await session.close();
  }
}

function held(options: ResolvedLeaseOptions, session: LeaseSession, outcome: Extract<AcquireOutcome, { acquired: false }> | undefined, waitedMs: number): LockHeldError {
  const remaining = outcome?.remainingMs;
  return new LockHeldError({
    lockName: options.name,
    lockPath: session.location,
    holder: outcome?.holder ?? null,
    waitedMs,
    ...(remaining !== null && remaining !== undefined ? { why: `its lease runs ${remaining} ms more unless renewed` } : {}),
  });
}
