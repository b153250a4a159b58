/**
 * Defaults of `createDrain()`. The docs page's options table is checked against this object, so a
 * default shown to users is always the one the code uses.
 */
export const DEFAULTS = {
  /** From the start of shutdown until every connection still open is destroyed (readiness delay included). */
  timeoutMs: 10_000,
  /** How long readiness reports 503 while the server still accepts, so load balancers stop routing to it. */
  readinessDelayMs: 0,
  /**
   * After the readiness delay, a listener the process bound itself stays open until the requests in
   * flight are done, and answers new connections with 503 (HTTP/2: REFUSED_STREAM) instead of
   * leaving them to be reset when it closes. false: the listener closes at once (its queue shrunk first).
   */
  refuseNew: true,
  /** The `Retry-After` header, in seconds, of the 503 answered while refusing. */
  retryAfterSeconds: 1,
  /** The timeout of a shutdown hook registered without its own. */
  hookTimeoutMs: 5_000,
  /** Signals that start a graceful shutdown; a second one exits at once. */
  signals: ['SIGTERM', 'SIGINT'] as readonly NodeJS.Signals[],
  /** Listen for the supervisor's `{ svc: 'shutdown' }` message (only when `SVC_NOTIFY=ipc` and an IPC channel exists). */
  ipc: true,
  /** Time kept free before the supervisor's SIGKILL when `SVC_STOP_TIMEOUT_MS` is set. */
  stopMarginMs: 500,
  /** Under a stop deadline, at most this share of it is kept for the shutdown hooks. */
  hooksShare: 0.25,
} as const;

/** Defaults of `listen()`. */
export const LISTEN_DEFAULTS = {
  /** How long to wait for the supervisor's `{ svc: 'listen' }` message when `SVC_LISTEN=ipc`. */
  handoffTimeoutMs: 10_000,
  /** Address to bind when no socket is handed over (Node's default: every interface). */
  host: undefined,
} as const;

/** Exit codes of a process stopped by @svc/drain. A second signal exits with 128 + its number. */
export const EXIT_CODES = {
  /** Every connection ended by itself and every hook succeeded. */
  clean: 0,
  /** Connections had to be destroyed at the deadline, or a hook failed or timed out. */
  unclean: 1,
} as const;
