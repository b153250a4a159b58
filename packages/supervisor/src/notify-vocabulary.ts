import { LIMITS } from './defaults.js';

/*
 * systemd's notify vocabulary (sd_notify(3)), as svc understands it on both of its sockets: the
 * datagram socket named by NOTIFY_SOCKET (one datagram = newline-separated KEY=VALUE assignments)
 * and the stream socket named by SVC_NOTIFY_SOCKET (one assignment per line). Parsing is kept apart
 * from what svc does with a message (notify-dispatch.ts), so both sockets share it.
 */

export type NotifyMessage =
  | { kind: 'ready' }
  | { kind: 'reloading' }
  | { kind: 'stopping' }
  | { kind: 'status'; text: string }
  | { kind: 'watchdog' }
  /** WATCHDOG=trigger: the service asks to be treated as hung at once. */
  | { kind: 'watchdog-trigger' }
  /** WATCHDOG_USEC=: a new heartbeat timeout for this run. */
  | { kind: 'watchdog-timeout'; timeoutMs: number }
  /** EXTEND_TIMEOUT_USEC=: the start or stop under way may take this much longer from now. */
  | { kind: 'extend-timeout'; extendMs: number }
  | { kind: 'mainpid'; pid: number }
  | { kind: 'errno'; errno: number };

/**
 * The largest datagram svc reads: systemd's own limit (NOTIFY_BUFFER_MAX, PIPE_BUF on Linux).
 * A larger one is dropped whole, as systemd drops it, and recorded.
 */
export const MAX_NOTIFY_DATAGRAM_BYTES = 4096;

/** An assignment as the event log shows a refused one: the service's text, cut short. */
const shown = (key: string, value: string) => `${key}=${value.length > 64 ? `${value.slice(0, 64)}…` : value}`;

/** A whole number of µs as ms, rounded up, or why it is refused (from 1 ms to Node's longest timer). */
function usecToMs(key: string, value: string): number | string {
  if (!/^\d{1,20}$/.test(value)) return `${shown(key, value)}: expected a whole number of µs`;
  const ms = Math.ceil(Number(value) / 1000);
  if (ms < 1) return `${shown(key, value)}: expected at least 1000 µs`;
  if (ms > LIMITS.durationMs.max) return `${shown(key, value)}: expected at most ${LIMITS.durationMs.max} ms (Node's longest timer)`;
  return ms;
}

const flag = (message: NotifyMessage) => (value: string) => (value === '1' ? message : null);

/**
 * What each key svc knows means, by key. A parser returns the message, null for a value systemd
 * does not act on either (`READY=0`), or why the value is refused.
 */
const KEYS: Record<string, (value: string) => NotifyMessage | string | null> = {
  READY: flag({ kind: 'ready' }),
  RELOADING: flag({ kind: 'reloading' }),
  STOPPING: flag({ kind: 'stopping' }),
  STATUS: (text) => ({ kind: 'status', text }),
  WATCHDOG: (value) => (value === '1' ? { kind: 'watchdog' } : value === 'trigger' ? { kind: 'watchdog-trigger' } : null),
  WATCHDOG_USEC: (value) => {
    const ms = usecToMs('WATCHDOG_USEC', value);
    return typeof ms === 'string' ? ms : { kind: 'watchdog-timeout', timeoutMs: ms };
  },
  EXTEND_TIMEOUT_USEC: (value) => {
    const ms = usecToMs('EXTEND_TIMEOUT_USEC', value);
    return typeof ms === 'string' ? ms : { kind: 'extend-timeout', extendMs: ms };
  },
  MAINPID: (value) => (/^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2 ** 31 - 1 ? { kind: 'mainpid', pid: Number(value) } : `${shown('MAINPID', value)}: expected a process id`),
  ERRNO: (value) => (/^\d{1,4}$/.test(value) ? { kind: 'errno', errno: Number(value) } : `${shown('ERRNO', value)}: expected an errno number (0-9999)`),
};

/**
 * One `KEY=VALUE` assignment: a message, null for what svc ignores silently (unknown keys such as
 * BARRIER or FDSTORE, as systemd ignores what it does not know), or why it is refused.
 */
export function parseAssignment(line: string): NotifyMessage | string | null {
  const eq = line.indexOf('=');
  if (eq <= 0) return `${JSON.stringify(line.length > 64 ? `${line.slice(0, 64)}…` : line)}: not a KEY=VALUE assignment`;
  const key = line.slice(0, eq);
  return Object.hasOwn(KEYS, key) ? KEYS[key]!(line.slice(eq + 1)) : null;
}

export interface ParsedDatagram {
  messages: NotifyMessage[];
  /** Why the datagram, or some of its assignments, were ignored. */
  problems: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A datagram as systemd reads one: newline-separated assignments, in order. Oversized ones, and
 * ones that are not UTF-8 text (or hold a NUL), are dropped whole; a refused assignment drops only
 * itself.
 */
export function parseDatagram(data: Buffer): ParsedDatagram {
  if (data.length > MAX_NOTIFY_DATAGRAM_BYTES) return { messages: [], problems: [`a datagram larger than ${MAX_NOTIFY_DATAGRAM_BYTES} bytes`] };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    // The decoder's only failure: bytes that are not UTF-8.
    return { messages: [], problems: ['a datagram that is not UTF-8 text'] };
  }
  if (text.includes('\0')) return { messages: [], problems: ['a datagram with a NUL byte'] };
  const parsed: ParsedDatagram = { messages: [], problems: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const result = parseAssignment(line);
    if (typeof result === 'string') parsed.problems.push(result);
    else if (result !== null) parsed.messages.push(result);
  }
  return parsed;
}
