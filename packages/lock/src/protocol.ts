import fs from 'node:fs';
import path from 'node:path';
import { LockPathError } from './errors.js';
import { dirError, errnoCode, prepareDir, readNoFollow, removeTree, scratchPath } from './fs-ops.js';
import { HOLDER_FILE, observe, type Observation } from './observe.js';
import { isLive, type Liveness } from './process-identity.js';
import { parseRecord, type LockRecord } from './record.js';

/*
 * The lock protocol, on one directory per lock: `<dir>/<name>.lock/holder.json`.
 *
 * Acquire: the record is written complete into a private temp directory, which is then renamed to
 * `<name>.lock`. rename(2) of a directory onto a missing or empty one is atomic, and fails with
 * ENOTEMPTY/EEXIST when the lock is held, so exactly one contender wins and a reader never sees a
 * lock without its record.
 *
 * Stale takeover (the holder is dead): removing a lock by its path is unsafe, since between the
 * look and the removal the path may have been given to a new, live holder. So a contender first
 * claims the stale lock *instance*: it renames a directory holding its own record to
 * `<name>.lock/claim`. Only one claim can exist in one lock directory. It then re-reads the lock and
 * checks that the directory it claimed is still the one it judged dead (the record's instanceId is
 * unique per acquisition). A claimed stale lock can be removed only by its claimer, so the
 * claimer renames it away and deletes it, then acquires as above. A late contender whose claim
 * lands in a newer lock sees the mismatch and removes its claim again. A claimer that dies
 * mid-takeover is itself judged like a holder (PID + start time) and its claim is claimed in turn
 * by a nested `claim/claim`, by the same rule.
 */

const CLAIM_DIR = 'claim';
const MAX_ATTEMPTS = 32;

export interface LockContext {
  dir: string;
  name: string;
  lockPath: string;
  record: LockRecord;
  recordText: string;
  staleMs: number;
}

export type AttemptResult =
  | { acquired: true }
  | { acquired: false; holder: LockRecord | null; liveness: Liveness; why: string | null };

/** One non-waiting attempt to take the lock, taking over a stale one on the way. */
export function attemptAcquire(ctx: LockContext): AttemptResult {
  let prepared: string | undefined;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      prepared ??= prepareDir(ctx.dir, ctx.name, 'tmp', HOLDER_FILE, ctx.recordText);
      try {
        fs.renameSync(prepared, ctx.lockPath);
        prepared = undefined;
        return { acquired: true };
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw dirError(ctx.dir, error);
        // ENOTEMPTY/EEXIST: held. ENOTDIR: something else is at the path; observe() names it.
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
      }
      const seen = observe(ctx.lockPath, HOLDER_FILE, ctx.staleMs);
      if (seen.kind === 'free') continue;
      if (isLive(seen.liveness)) return { acquired: false, holder: seen.record, liveness: seen.liveness, why: seen.problem?.message ?? null };
      const outcome = takeOver(ctx, seen);
      if (outcome.kind === 'contended') {
        return {
          acquired: false,
          holder: outcome.claimer ?? seen.record,
          liveness: 'alive',
          why: 'another process is taking over the stale lock right now',
        };
      }
    }
    return { acquired: false, holder: null, liveness: 'alive', why: `the lock changed hands more than ${MAX_ATTEMPTS} times while acquiring` };
  } finally {
    if (prepared) removeTree(prepared);
  }
}

type TakeOver = { kind: 'removed' } | { kind: 'retry' } | { kind: 'contended'; claimer: LockRecord | null };

function takeOver(ctx: LockContext, stale: Extract<Observation, { kind: 'taken' }>): TakeOver {
  // Walk down to the deepest claim; a live claimer means someone else is already taking over.
  const judged: string[] = [stale.identity];
  let level = ctx.lockPath;
  for (;;) {
    const claimPath = path.join(level, CLAIM_DIR);
    const claim = observe(claimPath, HOLDER_FILE, ctx.staleMs);
    if (claim.kind === 'free') break;
    if (isLive(claim.liveness)) return { kind: 'contended', claimer: claim.record };
    judged.push(claim.identity);
    level = claimPath;
  }

  const ourClaim = path.join(level, CLAIM_DIR);
  const prepared = prepareDir(ctx.dir, ctx.name, 'claim', HOLDER_FILE, ctx.recordText);
  try {
    fs.renameSync(prepared, ourClaim);
  } catch (error) {
    removeTree(prepared);
    const code = errnoCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return { kind: 'contended', claimer: null };
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'retry' };
    throw error;
  }

  // Is the instance we claimed still the one we judged dead, at every level?
  if (!chainMatches(ctx, judged)) {
    removeOwnClaim(ctx, ourClaim);
    return { kind: 'retry' };
  }
  // A dead holder's lock is deleted. An unreadable one is kept beside, renamed, for whoever wants
  // to know what damaged it: it never held a usable record, so nothing reads it again.
  const keep = stale.record === null;
  const away = keep ? path.join(ctx.dir, `${ctx.name}.lock.unreadable-${Date.now()}-${process.pid}`) : scratchPath(ctx.dir, ctx.name, 'stale');
  try {
    fs.renameSync(ctx.lockPath, away);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'retry' };
    throw error;
  }
  if (keep) removeTree(path.join(away, CLAIM_DIR));
  else removeTree(away);
  return { kind: 'removed' };
}

function chainMatches(ctx: LockContext, judged: string[]): boolean {
  let level = ctx.lockPath;
  for (const identity of judged) {
    const seen = observe(level, HOLDER_FILE, ctx.staleMs);
    if (seen.kind !== 'taken' || seen.identity !== identity) return false;
    level = path.join(level, CLAIM_DIR);
  }
  const ours = observe(level, HOLDER_FILE, ctx.staleMs);
  return ours.kind === 'taken' && ours.record?.instanceId === ctx.record.instanceId;
}

function removeOwnClaim(ctx: LockContext, claimPath: string): void {
  const seen = observe(claimPath, HOLDER_FILE, ctx.staleMs);
  if (seen.kind === 'taken' && seen.record?.instanceId === ctx.record.instanceId) removeTree(claimPath);
}

export type ReleaseOutcome = 'released' | 'not-ours' | 'gone';

/** Removes the lock if, and only if, it is still this holder's. */
export function releaseLock(ctx: Pick<LockContext, 'dir' | 'name' | 'lockPath'>, instanceId: string): ReleaseOutcome {
  const current = readRecordIfAny(ctx.lockPath);
  if (current === 'missing') return 'gone';
  if (current === 'unreadable' || current.instanceId !== instanceId) return 'not-ours';
  const away = scratchPath(ctx.dir, ctx.name, 'released');
  try {
    fs.renameSync(ctx.lockPath, away);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'gone';
    throw error;
  }
  const moved = readRecordIfAny(away);
  if (moved !== 'missing' && moved !== 'unreadable' && moved.instanceId !== instanceId) {
    // The lock changed hands between the read and the rename (possible only for a holder on
    // another host that missed its heartbeat): put the new holder's lock back untouched.
    try {
      fs.renameSync(away, ctx.lockPath);
    } catch (error) {
      throw new LockPathError('ELOCK_DIR', ctx.lockPath, `could not restore another holder's lock from ${away}`, { cause: error });
    }
    return 'not-ours';
  }
  removeTree(away);
  return 'released';
}

function readRecordIfAny(lockPath: string): LockRecord | 'missing' | 'unreadable' {
  const file = path.join(lockPath, HOLDER_FILE);
  try {
    return parseRecord(readNoFollow(file).text, file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return 'missing';
    return 'unreadable';
  }
}

/** The heartbeat: refreshes the record's mtime if the lock is still ours; says why not otherwise. */
export async function touchIfOurs(lockPath: string, instanceId: string): Promise<string | null> {
  const file = path.join(lockPath, HOLDER_FILE);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    return errnoCode(error) === 'ENOENT' ? 'the lock directory was removed' : `its record cannot be opened (${(error as Error).message})`;
  }
  try {
    const text = await handle.readFile('utf8');
    let record: LockRecord;
    try {
      record = parseRecord(text, file);
    } catch (error) {
      return (error as Error).message;
    }
    if (record.instanceId !== instanceId) return `it is now held by pid ${record.pid} on ${record.hostname}`;
    const now = new Date();
    await handle.utimes(now, now);
    return null;
  } finally {
    await handle.close();
  }
}
