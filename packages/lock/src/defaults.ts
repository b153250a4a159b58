/**
 * Every default @svc/lock applies. The docs' options table is checked against this object, so
 * the documented defaults are the ones the code uses.
 */
export const DEFAULTS = {
  /** How often a holder refreshes the lock's mtime (its heartbeat, read by other hosts). */
  heartbeatMs: 2_000,
  /** How old a heartbeat must be before a holder on another host (or an unreadable record) counts as dead. */
  staleMs: 10_000,
  /** How long `acquireLock` waits for a held lock before failing with ELOCKED. 0 fails at once. */
  waitMs: 0,
  /** How often a waiting `acquireLock` looks again. */
  pollMs: 50,
  /** Release on normal exit and on SIGINT/SIGTERM/SIGHUP. */
  releaseOnExit: true,
} as const;

/** The longest lock name, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 200;
