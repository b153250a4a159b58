import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { IpcPathError } from './errors.js';

/*
 * The security of a Unix socket rests on its directory: connect() needs search permission on the
 * directory and write permission on the socket. A directory that is ours and 0700 means no other
 * user (root aside) can reach the socket, nor replace, remove or pre-plant anything in it — so
 * the checks below cannot be raced by another user between the check and the bind.
 */
const PRIVATE_DIR_MODE = 0o700;

/** The effective uid whose files we accept; null where the platform has no uids (Windows). */
export function currentUid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}

/**
 * Makes sure `dir` exists, is a real directory (not a symlink), is owned by `uid` and has no
 * group/other permission bits. Creates it (and missing parents) 0700 when absent; never loosens
 * or tightens an existing directory, which would hide a misconfiguration.
 */
export async function ensurePrivateDir(dir: string, uid: number): Promise<void> {
  let stats = await lstatOrNull(dir);
  if (stats === null) {
    const firstCreated = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // mkdir applies the umask (an umask of 0100 would leave 0600, unusable); set the mode exactly on
    // every directory we created, from the first one down to `dir`.
    if (firstCreated !== undefined) {
      for (let created = dir; ; created = path.dirname(created)) {
        await chmod(created, PRIVATE_DIR_MODE);
        if (created === firstCreated || path.dirname(created) === created) break;
      }
    }
    stats = await lstat(dir);
  }
  if (stats.isSymbolicLink()) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      dir,
      `@svc/ipc: socket directory ${dir} is a symbolic link; refusing to use it. Use a real directory owned by you with mode 0700.`,
    );
  }
  if (!stats.isDirectory()) {
    throw new IpcPathError('EIPC_INSECURE_PATH', dir, `@svc/ipc: ${dir} exists and is not a directory; the socket needs a directory.`);
  }
  if (stats.uid !== uid) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      dir,
      `@svc/ipc: socket directory ${dir} is owned by uid ${stats.uid}, not by this process (uid ${uid}); refusing to ` +
        `use it. Use a directory of your own.`,
    );
  }
  if ((stats.mode & 0o077) !== 0) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      dir,
      `@svc/ipc: socket directory ${dir} has mode ${octal(stats.mode)}; expected 0700 (no access for group or others). ` +
        `Fix: chmod 700 ${dir}`,
    );
  }
}

export type ProbeResult = 'live' | 'stale' | 'gone';

/**
 * Makes the path free for bind: nothing there → fine; our own socket that nobody answers on →
 * removed; a live server → EIPC_IN_USE; a symlink, a non-socket or someone else's socket →
 * EIPC_INSECURE_PATH, untouched.
 */
export async function clearStaleSocket(socketPath: string, uid: number, probeTimeoutMs: number): Promise<void> {
  const stats = await lstatOrNull(socketPath);
  if (stats === null) return;
  if (stats.isSymbolicLink()) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      socketPath,
      `@svc/ipc: ${socketPath} is a symbolic link; refusing to follow or remove it. Remove it yourself if it is yours.`,
    );
  }
  if (!stats.isSocket()) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      socketPath,
      `@svc/ipc: ${socketPath} exists and is not a socket; refusing to remove it. Choose another path or remove the file.`,
    );
  }
  if (stats.uid !== uid) {
    throw new IpcPathError(
      'EIPC_INSECURE_PATH',
      socketPath,
      `@svc/ipc: socket ${socketPath} is owned by uid ${stats.uid}, not by this process (uid ${uid}); refusing to replace it.`,
    );
  }
  const probe = await probeSocket(socketPath, probeTimeoutMs);
  if (probe === 'live') {
    throw new IpcPathError(
      'EIPC_IN_USE',
      socketPath,
      `@svc/ipc: a server is already listening on ${socketPath}; stop it first (only one server per socket).`,
    );
  }
  if (probe === 'stale') await unlinkIfPresent(socketPath);
}

/**
 * Connects once: accepted → live; ECONNREFUSED → stale (no one listens: a crashed server's socket);
 * ENOENT → gone. A connect that hangs (a server whose backlog is full, or frozen) counts as live:
 * removing a socket someone may still serve on would split clients between two servers.
 */
export function probeSocket(socketPath: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath });
    const timer = setTimeout(() => finish('live'), timeoutMs);
    function finish(result: ProbeResult | Error): void {
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    socket.once('connect', () => finish('live'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish('stale');
      else if (error.code === 'ENOENT') finish('gone');
      else if (error.code === 'EACCES' || error.code === 'EPERM') {
        finish(
          new IpcPathError('EIPC_ACCESS_DENIED', socketPath, `@svc/ipc: no permission to probe ${socketPath} (${error.code}).`, {
            cause: error,
          }),
        );
      } else finish(error);
    });
  });
}

async function lstatOrNull(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    // Someone (a racing cleanup) removed it already: the path is free, which is all we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
