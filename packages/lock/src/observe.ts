import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LockPathError } from './errors.js';
import { errnoCode, readNoFollow } from './fs-ops.js';
import { currentHostname, judgeLocalHolder, type Liveness } from './process-identity.js';
import { parseRecord, type LockRecord } from './record.js';

export const HOLDER_FILE = 'holder.json';

/** What a look at a lock (or a claim) directory found. */
export type Observation =
  | { kind: 'free' }
  | {
      kind: 'taken';
      /** The record, or null when it is missing or unreadable. */
      record: LockRecord | null;
      /** Why the record could not be read, when it could not. */
      problem: LockPathError | null;
      liveness: Liveness;
      /** Names this exact lock instance; a later lock at the same path never has the same one. */
      identity: string;
    };

/**
 * Looks at the directory `dirPath` whose record file is `fileName`, and judges its holder:
 * on this host by PID and start time, on another host (or when the record is unreadable) by the
 * age of its heartbeat (the record's mtime) against `staleMs`.
 */
export function observe(dirPath: string, fileName: string, staleMs: number, nowMs = Date.now()): Observation {
  let dirStat: fs.Stats;
  try {
    dirStat = fs.lstatSync(dirPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'free' };
    throw error;
  }
  if (dirStat.isSymbolicLink() || !dirStat.isDirectory()) {
    const what = dirStat.isSymbolicLink() ? 'a symlink' : dirStat.isFile() ? 'a regular file' : 'not a directory';
    throw new LockPathError(
      'ELOCK_PATH',
      dirPath,
      `${dirPath} is ${what}, not a lock directory; it is left as it is. Remove it if nothing uses it.`,
    );
  }
  const file = path.join(dirPath, fileName);
  let text: string;
  let fileStat: fs.Stats;
  try {
    ({ text, stat: fileStat } = readNoFollow(file));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') {
      // Only an outside hand leaves a lock directory without a record: ours are renamed into place
      // complete. Judged by the directory's age.
      if (!fs.existsSync(dirPath)) return { kind: 'free' };
      const problem = new LockPathError('EBAD_METADATA', file, `lock directory ${dirPath} has no record ${fileName}`);
      // Identity by inode and birth time, not mtime: a claim placed inside changes the mtime.
      return unreadable(problem, `empty:${dirStat.ino}:${dirStat.birthtimeMs}`, dirStat.mtimeMs, staleMs, nowMs);
    }
    if (code === 'ELOOP') {
      const problem = new LockPathError('EBAD_METADATA', file, `lock record ${file} is a symlink; it is not followed`);
      const link = fs.lstatSync(file, { throwIfNoEntry: false });
      return unreadable(problem, `symlink:${link?.ino}:${link?.mtimeMs}`, link?.mtimeMs ?? 0, staleMs, nowMs);
    }
    throw error;
  }
  let record: LockRecord;
  try {
    record = parseRecord(text, file);
  } catch (error) {
    // node:crypto loads only for a corrupt record (see random.ts for what it costs).
    const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    return unreadable(error as LockPathError, `corrupt:${fileStat.ino}:${digest}`, fileStat.mtimeMs, staleMs, nowMs);
  }
  const liveness: Liveness =
    record.hostname === currentHostname()
      ? judgeLocalHolder(record)
      : nowMs - fileStat.mtimeMs > staleMs
        ? 'remote-stale'
        : 'remote-fresh';
  return { kind: 'taken', record, problem: null, liveness, identity: `record:${record.instanceId}` };
}

function unreadable(problem: LockPathError, identity: string, mtimeMs: number, staleMs: number, nowMs: number): Observation {
  return {
    kind: 'taken',
    record: null,
    problem,
    liveness: nowMs - mtimeMs > staleMs ? 'unreadable-stale' : 'unreadable-fresh',
    identity,
  };
}
