import { MAX_LOG_LINES, mergeByTime, parseEventLine, type DaemonConnection, type LogEvent } from '@svc/supervisor/client';
import { fileLines, isGone } from './logs-history.js';
import { fileStreams, isFiltering, matches, type LogEntry, type LogsQuery } from './logs-query.js';
import type { LogTarget } from './logs-targets.js';

/*
 * `svc logs -f`: every hosted service followed over one daemon connection. Each subscription
 * starts with the lines the daemon keeps in memory (they meet the live lines without a gap or a
 * repeat); those first lines of every service, and the files' lines of services not running, are
 * merged in time order and the last `-n` printed; then each new line as the daemon sends it —
 * one connection, so in the order the daemon received them, across services.
 */

function entryOf(target: LogTarget, event: LogEvent): LogEntry {
  const time = event.stream === 'events' ? parseEventLine(event.line).time : (event.time ?? null);
  return { service: target.name, ...(event.instance === undefined ? {} : { instance: event.instance }), stream: event.stream, time, line: event.line };
}

/**
 * Backpressure from `out` to the daemon: once `out` holds more than its buffer (a pipe nobody
 * reads: Node queues what it cannot write, without bound), the connection is read no more until
 * `out` drains, so the daemon sees this reader fall behind and leaves lines out, counted, instead
 * of this process holding them all in memory. Called after each write.
 */
export function pacedBy(out: NodeJS.WritableStream & { writableNeedDrain: boolean }, client: { pause(): void; resume(): void }): () => void {
  let paused = false;
  return () => {
    if (paused || !out.writableNeedDrain) return;
    paused = true;
    client.pause();
    out.once('drain', () => {
      paused = false;
      client.resume();
    });
  };
}

/**
 * Follows the hosted `targets` until SIGINT or until every one of them is gone (stopped);
 * `fromFiles`: lines of services that are not followed, printed among the first ones.
 */
export async function follow(
  connection: DaemonConnection,
  targets: LogTarget[],
  query: LogsQuery,
  lines: number,
  fromFiles: LogEntry[][],
  print: (entry: LogEntry) => void,
  /** The daemon left out `count` of the service's lines: this reader fell behind (LogEvent.skipped). */
  skipped: (service: string, count: number) => void,
): Promise<void> {
  const hosted = targets.filter((t) => t.hosted);
  const paced = pacedBy(process.stdout, connection.client);
  const show = (entry: LogEntry) => {
    print(entry);
    paced();
  };
  const first: LogEntry[][] = hosted.map(() => []);
  /** The files' lines of services stopped since they were listed. */
  const stopped: LogEntry[][] = [];
  let live = false;
  let ended = 0;
  let failure: Error | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onSigint = () => finish();
  process.once('SIGINT', onSigint);
  try {
    for (const [i, target] of hosted.entries()) {
      const params = { project: target.project, service: target.name, stream: query.stream, lines: isFiltering(query) ? MAX_LOG_LINES : lines, follow: true };
      const onEvent = (event: LogEvent) => {
        if (event.skipped !== undefined) return skipped(target.name, event.skipped);
        const entry = entryOf(target, event);
        if (!live) first[i]!.push(entry);
        else if (matches(query, entry)) show(entry);
      };
      const onEnd = (error: Error | undefined) => {
        failure ??= error;
        if (error || ++ended === hosted.length) finish();
      };
      try {
        await connection.client.subscribe('logs', params, onEvent, { onEnd });
      } catch (error) {
        if (!isGone(error)) throw error;
        // Stopped since it was listed: its files, and nothing to follow.
        stopped.push(...fileStreams(query.stream).map((s) => fileLines(target, s, query, lines)));
        onEnd(undefined);
      }
    }
    // Each subscription's first lines are sent right after it is answered: once a later call is
    // answered on the same connection, they have all arrived.
    await connection.client.call('hello');
    const kept = first.map((entries) => entries.filter((e) => matches(query, e)));
    for (const entry of lines > 0 ? mergeByTime([...kept, ...stopped, ...fromFiles]).slice(-lines) : []) show(entry);
    live = true;
    await done;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (failure) throw failure;
}
