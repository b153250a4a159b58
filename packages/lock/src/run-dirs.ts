import { homedir } from 'node:os';
import path from 'node:path';

/*
 * The svc directories, on their own: `@svc/lock/dirs` loads only this, for a caller that needs the
 * paths before (or without) the lock itself.
 */

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
