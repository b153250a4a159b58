import fs from 'node:fs';
import path from 'node:path';
import { LockPathError } from './errors.js';
import { randomBytes } from './random.js';

/*
 * The few file-system steps every lock operation is built from. All are synchronous: each is one
 * or two system calls on a local directory, and doing them without yielding to the event loop
 * keeps every check-then-act step of the protocol as short as it can be.
 */

/** A name in the lock directory no lock can have (lock names may not start with "."). */
export function scratchPath(dir: string, name: string, kind: 'tmp' | 'claim' | 'stale' | 'released'): string {
  return path.join(dir, `.${name}.lock.${process.pid}.${randomBytes(6).toString('hex')}.${kind}`);
}

/** Creates a 0700 directory holding one 0600 file, whatever the umask. Returns its path. */
export function prepareDir(dir: string, name: string, kind: 'tmp' | 'claim', fileName: string, text: string): string {
  const target = scratchPath(dir, name, kind);
  try {
    fs.mkdirSync(target, { mode: 0o700 });
    fs.chmodSync(target, 0o700);
    const fd = fs.openSync(path.join(target, fileName), 'wx', 0o600);
    try {
      fs.fchmodSync(fd, 0o600);
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    removeTree(target);
    throw dirError(dir, error);
  }
  return target;
}

/** Reads a file without following a symlink planted in its place. */
export function readNoFollow(file: string): { text: string; stat: fs.Stats } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return { text: fs.readFileSync(fd, 'utf8'), stat: fs.fstatSync(fd) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Deletes a directory we own under a private name. A contender whose path lookup began before we
 * renamed the directory away can still drop a claim into it while we delete it (ENOTEMPTY): such
 * a claim is void (its maker sees the mismatch and retries), so the removal simply goes again.
 */
export function removeTree(target: string): void {
  fs.rmSync(target, { recursive: true, force: true, maxRetries: 20, retryDelay: 1 });
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Turns a failure to write in the lock directory into ELOCK_DIR with the reason in words. */
export function dirError(dir: string, error: unknown): LockPathError {
  const code = errnoCode(error);
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? `it is not writable by this user (uid ${process.getuid?.() ?? '?'})`
      : code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : (error as Error).message;
  return new LockPathError('ELOCK_DIR', dir, `cannot write in lock directory ${dir}: ${why}`, { cause: error });
}
