import { readDuration, type LogsStream } from '@svc/supervisor/client';
import { CliError } from './errors.js';

/*
 * What `svc logs` shows, from its flags: which stream, and which lines (`--since`, `--grep`).
 * Bad values are bad usage (exit 2) naming the flag. The matching is done here, in the CLI, never
 * in the daemon: a regular expression that backtracks for ever slows this command, not the one
 * daemon that supervises everything.
 */

export interface LogsQuery {
  /** `output`: stdout and stderr together (the default). */
  stream: LogsStream;
  /** Only lines received at or after this time (ms since the epoch). */
  sinceMs?: number;
  grep?: RegExp;
}

/** A line as `svc logs` tells it (`--json` prints these). */
export interface LogEntry {
  service: string;
  /** The instance that printed it, where known (followed lines: the files do not keep it). */
  instance?: number;
  stream: 'stdout' | 'stderr' | 'events';
  /** When svc received it (ISO 8601, UTC); null for a line stored before svc kept times. */
  time: string | null;
  line: string;
}

/** `2025-01-31`, `2025-01-31T12:00`, `2025-01-31T12:00:00.000Z`, `… +01:00`: an ISO 8601 date or time. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** `--since`: a duration back from `now` (as the config writes them) or an ISO 8601 time. */
export function parseSince(value: string, now: number): number {
  const duration = readDuration(value, { max: Number.MAX_SAFE_INTEGER });
  if (duration.ok) return now - duration.value;
  const time = ISO_TIME.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (!Number.isNaN(time)) return time;
  throw new CliError('EUSAGE', `--since: expected a duration back from now such as "30s", "10m", "2h", "1d", or an ISO 8601 time such as 2025-01-31T12:00:00Z (got ${JSON.stringify(value)})`);
}

export function parseGrep(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new CliError('EUSAGE', `--grep: ${JSON.stringify(value)} is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, '')}`);
  }
}

export function logsQuery(
  flags: { stdout?: boolean; stderr?: boolean; events?: boolean; since?: string; grep?: string },
  name: string | undefined,
  now = Date.now(),
): LogsQuery {
  const stream: LogsStream = flags.events ? 'events' : flags.stdout ? 'stdout' : flags.stderr ? 'stderr' : 'output';
  if (stream === 'events' && name === undefined) throw new CliError('EUSAGE', "--events: name the service whose event log to show (svc logs <name> --events)");
  return {
    stream,
    ...(flags.since === undefined ? {} : { sinceMs: parseSince(flags.since, now) }),
    ...(flags.grep === undefined ? {} : { grep: parseGrep(flags.grep) }),
  };
}

/** Whether a query keeps only some lines (then a tail is read further back than `-n`). */
export const isFiltering = (query: LogsQuery): boolean => query.sinceMs !== undefined || query.grep !== undefined;

/** Whether a line passes `--grep` and `--since` (a line without a time is older than any). */
export function matches(query: LogsQuery, entry: { time: string | null; line: string }): boolean {
  if (query.grep && !query.grep.test(entry.line)) return false;
  if (query.sinceMs !== undefined && (entry.time === null || Date.parse(entry.time) < query.sinceMs)) return false;
  return true;
}

/** The files a stream is read from. */
export function fileStreams(stream: LogsStream): Array<'stdout' | 'stderr' | 'events'> {
  return stream === 'output' ? ['stdout', 'stderr'] : [stream];
}
