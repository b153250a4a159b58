import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LockPathError } from './errors.js';

export { resolveRunDir, resolveStateDir } from './run-dirs.js';

/**
 * Creates `dir` (and missing parents) as 0700 whatever the umask. A directory that already exists
 * is accepted as it is when it is a real directory; a symlink or a file in its place is refused.
 */
export function ensurePrivateDir(dir: string): void {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LockPathError('ELOCK_DIR', dir, `cannot create lock directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (created !== undefined) {
    // mkdir's mode is filtered by the umask; set it exactly on every directory we made.
    let current = dir;
    for (;;) {
      chmodSync(current, 0o700);
      if (current === created) break;
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    return;
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new LockPathError(
      'ELOCK_DIR',
      dir,
      `lock directory ${dir} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}; remove it or choose another dir`,
    );
  }
}
