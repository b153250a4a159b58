import { mergeByTime, parseEventLine, readLogTail, type DaemonConnection, type LogsStream } from '@svc/supervisor/client';
import { fileStreams, matches, type LogEntry, type LogsQuery } from './logs-query.js';
import { logFile, type LogTarget } from './logs-targets.js';

/*
 * The lines `svc logs` shows without -f: read from the log files (the same whether the daemon
 * runs the service or not), back through the rotated files as far as `--grep` and `--since` need,
 * each service's streams and every service merged in the order the lines were received, and the
 * last `-n` of them kept.
 */

/**
 * Waits until the daemon's log writers have caught up with what the hosted services printed: a
 * `logs` call for no line answers once they have (lines then on their way to the disk are read).
 */
export async function caughtUp(connection: DaemonConnection, targets: LogTarget[], stream: LogsStream): Promise<void> {
  await Promise.all(
    targets
      .filter((t) => t.hosted)
      .map(
        (t) =>
          new Promise<void>((resolve, reject) => {
            connection.client
              .subscribe('logs', { project: t.project, service: t.name, stream, lines: 0, follow: false }, () => undefined, { onEnd: (error) => (error ? reject(error) : resolve()) })
              // Stopped meanwhile: its files are all there is, and complete.
              .catch((error: unknown) => (isGone(error) ? resolve() : reject(error as Error)));
          }),
      ),
  );
}

/** The daemon no longer hosts the service (it was stopped since it was listed). */
export const isGone = (error: unknown): boolean => (error as { code?: unknown }).code === 'EUNKNOWN_SERVICE';

/** One service's lines of one stream from its files: the last `lines` that the query keeps, oldest first. */
export function fileLines(target: LogTarget, stream: 'stdout' | 'stderr' | 'events', query: LogsQuery, lines: number): LogEntry[] {
  const tail = readLogTail(logFile(target, stream), {
    lines,
    ...(query.sinceMs === undefined ? {} : { sinceMs: query.sinceMs }),
    ...(query.grep ? { keep: (entry) => matches(query, entry) } : {}),
    ...(stream === 'events' ? { parse: parseEventLine } : {}),
  });
  return tail.map((entry) => ({ service: target.name, stream, time: entry.time, line: entry.line }));
}

/** The last `lines` lines of these services, in the order they were received. */
export function history(targets: LogTarget[], query: LogsQuery, lines: number): LogEntry[] {
  if (lines <= 0) return [];
  const sources = targets.flatMap((t) => fileStreams(query.stream).map((stream) => fileLines(t, stream, query, lines)));
  return mergeByTime(sources).slice(-lines);
}
