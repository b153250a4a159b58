import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { LockPathError } from './errors.js';

type Env = Record<string, string | undefined>;

/**
 * Where sockets and locks live: `$SVC_HOME/run`, else `$XDG_RUNTIME_DIR/svc`, else `~/.svc/run`.
 */
export function resolveRunDir(env: Env = process.env): string {
  if (env.SVC_HOME) return path.join(path.resolve(env.SVC_HOME), 'run');
  if (env.XDG_RUNTIME_DIR) return path.join(path.resolve(env.XDG_RUNTIME_DIR), 'svc');
  return path.join(homedir(), '.svc', 'run');
}

/** Where logs and state live: `$SVC_HOME/state`, else `$XDG_STATE_HOME/svc`, else `~/.svc/state`. */
export function resolveStateDir(env: Env = process.env): string {
  if (env.SVC_HOME) return path.join(path.resolve(env.SVC_HOME), 'state');
  if (env.XDG_STATE_HOME) return path.join(path.resolve(env.XDG_STATE_HOME), 'svc');
  return path.join(homedir(), '.svc', 'state');
}

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
