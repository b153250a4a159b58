import { createRequire } from 'node:module';
import path from 'node:path';
import { IpcOptionsError, IpcPathTooLongError } from './errors.js';

/*
 * A Unix socket's path is copied into `struct sockaddr_un.sun_path`, a fixed array that also holds
 * the terminating NUL: 108 bytes on Linux, 104 on macOS and the BSDs. A longer path fails to bind
 * with EINVAL (or is silently truncated by older libuv), so we check it ourselves and say so.
 * Unknown platforms get the smaller limit.
 */
const SUN_PATH_BYTES: Readonly<Record<string, number>> = {
  linux: 108,
  android: 108,
  darwin: 104,
  freebsd: 104,
  openbsd: 104,
  netbsd: 104,
  sunos: 108,
  aix: 104,
};

/** The size of `sun_path` on a platform, NUL included. */
export function sunPathBytes(platform: string = process.platform): number {
  return SUN_PATH_BYTES[platform] ?? 104;
}

/*
 * Windows has no Unix sockets for Node's net module: the same API listens on a named pipe, whose
 * name lives in the pipe file system under \\.\pipe\. A pipe name may not contain a backslash and
 * is at most 256 characters; it is case-insensitive. We map a file-style path to a pipe name that
 * is stable for that path, so that server and client compute the same name from the same config.
 */
export const WINDOWS_PIPE_PREFIX = '\\\\.\\pipe\\';
const MAX_PIPE_NAME_CHARS = 256;

/**
 * The address `createIpcServer` binds and `connectIpc` dials for `ipcPath`.
 * POSIX: the absolute path, checked against the `sun_path` limit (`EIPC_PATH_TOO_LONG`).
 * Windows: a `\\.\pipe\…` name (given as-is when `ipcPath` already is one).
 * `platform` is injectable so the Windows mapping can be tested anywhere.
 */
export function resolveIpcPath(ipcPath: string, platform: string = process.platform): string {
  if (typeof ipcPath !== 'string' || ipcPath.length === 0 || ipcPath.includes('\0')) {
    throw new IpcOptionsError('path', ipcPath, 'a non-empty string without NUL bytes');
  }
  if (platform === 'win32') return toPipeName(ipcPath);

  const resolved = platform === process.platform ? path.resolve(ipcPath) : path.posix.resolve(ipcPath);
  const limit = sunPathBytes(platform);
  const bytes = Buffer.byteLength(resolved);
  if (bytes >= limit) throw new IpcPathTooLongError(resolved, bytes, limit, platform);
  return resolved;
}

/** True when `address` is a Windows named pipe rather than a file system path. */
export function isPipeName(address: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(address);
}

function toPipeName(ipcPath: string): string {
  if (isPipeName(ipcPath)) return ipcPath;
  // Only absolute Windows paths are stable across processes with different working directories.
  if (!path.win32.isAbsolute(ipcPath)) {
    throw new IpcOptionsError('path', ipcPath, 'an absolute path or a \\\\.\\pipe\\ name on Windows');
  }
  const normalised = path.win32.normalize(ipcPath).toLowerCase();
  const name = normalised
    .replace(/^([a-z]):/, '$1')
    .split(/[\\/]+/)
    .filter((segment) => segment.length > 0)
    .join('-');
  if (name.length <= MAX_PIPE_NAME_CHARS) return WINDOWS_PIPE_PREFIX + name;
  // Too long: keep the (most specific) tail and make it unique with a hash of the whole path.
  // node:crypto loads only here (a long Windows path): a client's start stays light.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(normalised).digest('hex').slice(0, 16);
  return `${WINDOWS_PIPE_PREFIX}${name.slice(name.length - (MAX_PIPE_NAME_CHARS - 17))}-${hash}`;
}
