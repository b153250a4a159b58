import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, unlinkSync } from 'node:fs';

/** What emptying a log removed: the files it emptied or deleted, and how many bytes they held. */
export interface EmptiedLog {
  files: string[];
  bytes: number;
}

/** A log file and the rotated copies it has (`path.1` …, as far as they go on without a gap). */
export function logFiles(path: string): string[] {
  const files: string[] = [];
  for (let i = 0; ; i++) {
    const name = i === 0 ? path : `${path}.${i}`;
    if (!statSync(name, { throwIfNoEntry: false })?.isFile()) return files;
    files.push(name);
  }
}

/**
 * Empties a rotating log (PM2's flush): the live file is truncated, not replaced, so its writer —
 * which appends — goes on writing at its start (log-file.ts sees the size drop), and a follower
 * keeps following; the rotated copies are removed. A symlink at the path is refused, not followed.
 */
export function emptyLog(path: string): EmptiedLog {
  const emptied: EmptiedLog = { files: [], bytes: 0 };
  const [live, ...rotated] = logFiles(path);
  if (live !== undefined) {
    const fd = openSync(live, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      emptied.bytes += fstatSync(fd).size;
      ftruncateSync(fd, 0);
    } finally {
      closeSync(fd);
    }
    emptied.files.push(live);
  }
  for (const file of rotated) {
    const size = statSync(file, { throwIfNoEntry: false })?.size;
    try {
      unlinkSync(file);
    } catch (error) {
      // Gone meanwhile (a flush of the same log at the same time): nothing left to remove.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    emptied.bytes += size ?? 0;
    emptied.files.push(file);
  }
  return emptied;
}
