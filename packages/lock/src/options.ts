import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import { LockOptionsError } from './errors.js';
import { resolveRunDir } from './dirs.js';
import { validateLockName } from './name.js';
import { checkCallback, checkMetadata, checkOptionsObject, checkSignal, integer } from './option-checks.js';
import type { LockCompromisedError } from './errors.js';

export interface LockOptions {
  /** The lock's name: one lock per name per directory. */
  name: string;
  /** Where lock directories live. Default: the run directory (`$SVC_HOME/run`, `$XDG_RUNTIME_DIR/svc` or `~/.svc/run`). */
  dir?: string;
  /** What the holder publishes in its record for others to read (port, health URL, version). Must be JSON. */
  metadata?: Record<string, unknown>;
  /** How often the holder refreshes its heartbeat. */
  heartbeatMs?: number;
  /** How old a heartbeat must be before a holder on another host, or an unreadable record, counts as dead. */
  staleMs?: number;
  /** `acquireLock` only: how long to wait for a held lock before ELOCKED. 0 fails at once. */
  waitMs?: number;
  /** `acquireLock` only: how often a waiting acquire looks again. */
  pollMs?: number;
  /** `acquireLock` only: stops waiting with EABORTED. */
  signal?: AbortSignal;
  /** Release on normal exit and on SIGINT/SIGTERM/SIGHUP. */
  releaseOnExit?: boolean;
  /** Called (never thrown) when the lock stops being ours while held. Same as the handle's `compromised` event. */
  onCompromised?: (error: LockCompromisedError) => void;
}

export interface ResolvedLockOptions {
  name: string;
  dir: string;
  lockPath: string;
  metadata: Record<string, unknown>;
  heartbeatMs: number;
  staleMs: number;
  waitMs: number;
  pollMs: number;
  signal: AbortSignal | undefined;
  releaseOnExit: boolean;
  onCompromised: ((error: LockCompromisedError) => void) | undefined;
}

/** Validates and fills every option once, before anything touches the disk. */
export function resolveLockOptions(options: LockOptions): ResolvedLockOptions {
  checkOptionsObject(options);
  const name = validateLockName(options.name);
  const dir = options.dir ?? resolveRunDir();
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'dir', dir, 'a directory path');
  }
  const metadata = checkMetadata(options.metadata ?? {});
  const heartbeatMs = integer('heartbeatMs', options.heartbeatMs ?? DEFAULTS.heartbeatMs, 10);
  const staleMs = integer('staleMs', options.staleMs ?? DEFAULTS.staleMs, 1);
  if (staleMs < heartbeatMs * 2) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'staleMs', staleMs, `at least twice heartbeatMs (${heartbeatMs * 2})`);
  }
  const waitMs = integer('waitMs', options.waitMs ?? DEFAULTS.waitMs, 0);
  const pollMs = integer('pollMs', options.pollMs ?? DEFAULTS.pollMs, 1);
  checkSignal(options.signal);
  checkCallback('onCompromised', options.onCompromised);
  const absoluteDir = path.resolve(dir);
  return {
    name,
    dir: absoluteDir,
    lockPath: path.join(absoluteDir, `${name}.lock`),
    metadata,
    heartbeatMs,
    staleMs,
    waitMs,
    pollMs,
    signal: options.signal,
    releaseOnExit: options.releaseOnExit ?? DEFAULTS.releaseOnExit,
    onCompromised: options.onCompromised,
  };
}
