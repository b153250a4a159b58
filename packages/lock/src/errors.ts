import type { LockRecord } from './record.js';

/** Every code @svc/lock throws or reports. The docs' error table is checked against this list. */
export const ERROR_CODES = [
  'ELOCKED',
  'EINVALID_NAME',
  'EINVALID_OPTIONS',
  'ELOCK_PATH',
  'ELOCK_DIR',
  'EBAD_METADATA',
  'ECOMPROMISED',
  'EABORTED',
  'EBACKEND',
  'EPOOLER',
] as const;

export type LockErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('svc.lock.error');

/** Base class of every error @svc/lock throws. Use `isLockError()` rather than `instanceof`. */
export class LockError extends Error {
  readonly code: LockErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: LockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any error thrown by any copy (ESM or CJS) of @svc/lock. */
export function isLockError(error: unknown): error is LockError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** The lock is held by a live process: `holder` says who, so a server can print "already running". */
export class LockHeldError extends LockError {
  readonly lockName: string;
  readonly lockPath: string;
  /** The live holder's record; null when the record cannot be read but the lock is fresh. */
  readonly holder: LockRecord | null;
  readonly waitedMs: number;

  constructor(details: { lockName: string; lockPath: string; holder: LockRecord | null; waitedMs?: number; why?: string }) {
    const h = details.holder;
    const where = h ? [typeof h.metadata.port === 'number' || typeof h.metadata.port === 'string' ? `port ${h.metadata.port}` : '', typeof h.metadata.healthUrl === 'string' ? `health ${h.metadata.healthUrl}` : ''].filter(Boolean).join(', ') : '';
    const who = h ? `pid ${h.pid} on ${h.hostname}, started ${h.startedAt}${where ? `, ${where}` : ''}` : 'a process whose record cannot be read';
    const waited = details.waitedMs ? ` (waited ${details.waitedMs} ms)` : '';
    const fix = h ? `Stop it first (kill -TERM ${h.pid}) or wait for it to exit.` : 'Wait for it to go, or remove the lock directory if you know no process uses it.';
    super('ELOCKED', `lock "${details.lockName}" is held by ${who}${waited}${details.why ? ` (${details.why})` : ''}. ${fix}`);
    this.name = 'LockHeldError';
    this.lockName = details.lockName;
    this.lockPath = details.lockPath;
    this.holder = details.holder;
    this.waitedMs = details.waitedMs ?? 0;
  }
}

/** Data fields shared by the other subclasses. */
export class LockPathError extends LockError {
  readonly path: string;
  constructor(code: 'ELOCK_PATH' | 'ELOCK_DIR' | 'EBAD_METADATA', path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LockPathError';
    this.path = path;
  }
}

export class LockOptionsError extends LockError {
  readonly option: string;
  readonly value: unknown;
  constructor(code: 'EINVALID_NAME' | 'EINVALID_OPTIONS', option: string, value: unknown, expected: string) {
    super(code, `invalid ${option} ${describe(value)}: expected ${expected}`);
    this.name = 'LockOptionsError';
    this.option = option;
    this.value = value;
  }
}

/** Passed to `compromised` listeners: the lock stopped being ours while we held it. */
export class LockCompromisedError extends LockError {
  readonly lockPath: string;
  constructor(lockPath: string, why: string, options?: { cause?: unknown }) {
    super('ECOMPROMISED', `lock at ${lockPath} is no longer held by this process: ${why}`, options);
    this.name = 'LockCompromisedError';
    this.lockPath = lockPath;
  }
}

export class LockAbortedError extends LockError {
  constructor(lockName: string, options?: { cause?: unknown }) {
    super('EABORTED', `waiting for lock "${lockName}" was aborted`, options);
    this.name = 'LockAbortedError';
  }
}

/**
 * The Redis or PostgreSQL server could not be reached, did not answer within `commandTimeoutMs`,
 * or answered with an error. Whatever a timed-out command may have done on the server is undone
 * before this is thrown (see docs/packages/lock.md).
 */
export class LockBackendError extends LockError {
  readonly backend: 'redis' | 'postgres';
  /** Where the lease lives: `redis://host:port key …` or `postgres://host:port/db schema.table …`. */
  readonly location: string;
  readonly timedOut: boolean;
  constructor(details: { backend: 'redis' | 'postgres'; location: string; what: string; timedOut?: boolean }, options?: { cause?: unknown }) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('EBACKEND', `${details.backend} lock ${details.location}: ${details.what}${cause}`, options);
    this.name = 'LockBackendError';
    this.backend = details.backend;
    this.location = details.location;
    this.timedOut = details.timedOut ?? false;
  }
}

/**
 * The PostgreSQL connection goes through a pooler (PgBouncer, pgpool, a cloud proxy): the backend
 * key the connection was given is not that of the server process that runs its queries.
 */
export class LockPoolerError extends LockError {
  readonly location: string;
  readonly backendPid: number;
  readonly announcedPid: number;
  constructor(location: string, backendPid: number, announcedPid: number) {
    super(
      'EPOOLER',
      `postgres lock ${location}: the connection goes through a connection pooler or proxy (queries run in server process ${backendPid}, ` +
        `but the connection was announced as process ${announcedPid}). Behind a transaction-mode pooler each statement may run on another ` +
        `server session, so a lock tied to the session would not be held. Connect straight to PostgreSQL (not through PgBouncer), e.g. a direct port or a pooler-bypass URL.`,
    );
    this.name = 'LockPoolerError';
    this.location = location;
    this.backendPid = backendPid;
    this.announcedPid = announcedPid;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}
