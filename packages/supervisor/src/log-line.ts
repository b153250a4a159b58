/*
 * How an output line is kept on disk: `<time> <line>`, the time (ISO 8601, UTC, milliseconds) at
 * which the supervisor read it from the pipe, as docker and journald keep theirs. The file stays
 * readable as it is, and `svc logs` can interleave services, filter by time and show the time from
 * the files alone. Lines written before svc kept times have none: read as they are, time null.
 */

/** A line as read back: its text, and when it was received (null: written without a time). */
export interface StoredLine {
  time: string | null;
  line: string;
}

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) /;
/** The time at the start of an event log line (events.ts: `time` is always its first field). */
const EVENT_TIME = /^\{"time":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/;

/** The line as written to its log file. */
export function stampLine(time: string, line: string): string {
  return `${time} ${line}`;
}

/** A line of an output log file: its time taken off, or null when it has none. */
export function parseStoredLine(raw: string): StoredLine {
  const match = STAMP.exec(raw);
  return match ? { time: match[1]!, line: raw.slice(match[0].length) } : { time: null, line: raw };
}

/** A line of the event log: kept whole (it is JSON), its time read from its `time` field. */
export function parseEventLine(raw: string): StoredLine {
  return { time: EVENT_TIME.exec(raw)?.[1] ?? null, line: raw };
}

/** Milliseconds since the epoch of a stored time; null stays null (it sorts before every time). */
export function timeMs(time: string | null): number | null {
  return time === null ? null : Date.parse(time);
}
