import { IpcOptionsError } from './errors.js';

/** Defaults of `createIpcServer`. The docs page's `## Options` table is checked against these. */
export const SERVER_DEFAULTS = {
  /** Largest frame (one JSON message, newline excluded) accepted or sent. */
  maxFrameBytes: 1024 * 1024,
  /** A connection with no call in flight, no subscription and no frame for this long is closed. 0 disables. */
  idleTimeoutMs: 60_000,
  /** A frame must be complete this long after its first byte arrived (slow-loris guard). */
  frameTimeoutMs: 10_000,
  /** Connections served at once; more are told EIPC_BUSY and closed. */
  maxConnections: 256,
  /** Calls a connection may have in flight; past it the server stops reading that connection. */
  maxInFlightPerConnection: 64,
  /** Unsent output a connection may queue (a subscriber that does not read); past it, it is closed. */
  maxWriteBufferBytes: 8 * 1024 * 1024,
  /** Deepest JSON nesting accepted in a frame. */
  maxJsonDepth: 64,
  /** How long the start-up check waits for an existing socket to answer before calling it live. */
  probeTimeoutMs: 2_000,
} as const;

/** Defaults of `connectIpc`. The docs page's `## Client options` table is checked against these. */
export const CLIENT_DEFAULTS = {
  /** Connect timeout, and the per-call timeout when a call gives none. */
  timeoutMs: 10_000,
  /** Largest frame accepted from the server or sent to it. */
  maxFrameBytes: 1024 * 1024,
  /** Deepest JSON nesting accepted from the server. */
  maxJsonDepth: 64,
} as const;

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An integer option >= 1 (>= 0 with allowZero; at most setTimeout's limit with timer), or its default. */
export function positiveInteger(
  option: string,
  value: unknown,
  fallback: number,
  rules: { allowZero?: boolean; timer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const min = rules.allowZero === true ? 0 : 1;
  const max = rules.timer === true ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new IpcOptionsError(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A timeout in ms: a number > 0 (rounded up), or Infinity for none. */
export function timeoutOption(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS) return Math.ceil(value);
  throw new IpcOptionsError(option, value, `a number of milliseconds in (0, ${MAX_TIMER_MS}], or Infinity for no timeout`);
}
