/**
 * Defaults shared by the Redis and PostgreSQL backends. The docs' backend options table is checked
 * against this object. `renewMs` and `marginMs` default to fractions of `ttlMs` (see
 * `RENEW_FRACTION`, `MARGIN_FRACTION`).
 */
export const LEASE_DEFAULTS = {
  /** How long the server keeps a lease that is not renewed. */
  ttlMs: 10_000,
  /** How long `acquireLock` waits for a held lease before failing with ELOCKED. 0 fails at once. */
  waitMs: 0,
  /** How often a waiting `acquireLock` asks the server again. */
  pollMs: 250,
  /** How long one command may take before its connection is dropped and its effects undone. */
  commandTimeoutMs: 5_000,
} as const;

/** A holder renews every `ttlMs × RENEW_FRACTION` unless `renewMs` is given. */
export const RENEW_FRACTION = 1 / 3;
/** A holder counts its lease as lost `ttlMs × MARGIN_FRACTION` before the server could expire it, unless `marginMs` is given. */
export const MARGIN_FRACTION = 1 / 10;
/** The shortest TTL accepted: below it, one loaded event-loop turn could outlast the lease. */
export const MIN_TTL_MS = 100;
