import type { LogStream, SupervisorEvent, SupervisorEventType } from './events.js';
import { closeServiceLogs, flushServiceLogs, type SupervisorLogs } from './log-pipes.js';
import { tailLog } from './log-tail.js';
import { RECENT_LINES, RecentLines } from './recent-lines.js';

/**
 * What a Supervisor or a Service writes and says, in one place for both: its events (one JSON
 * line each in the event log, handed to `emit`), the last lines of each stream and of the event
 * log kept in memory (a follow starts from them, in the same tick as its subscription, so tail
 * and follow meet without a gap or a repeat), and the last `stderrTailLines` of stderr of the latest
 * run (what a failed start shows). The log files are its own (`owned`, closed with it) or a Service's, shared
 * by its instances. Output lines reach the files through log-pipes.ts; this keeps them in memory.
 */
export class Journal {
  readonly #recent: Record<LogStream | 'events', RecentLines> = {
    stdout: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    stderr: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    events: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
  };
  #stderrTail: string[] = [];
  #closed = false;

  constructor(
    readonly logs: SupervisorLogs,
    private readonly owned: boolean,
    private readonly source: { service: string; instance: number; stderrTailLines: number },
    private readonly emit: (event: SupervisorEvent) => void,
  ) {
    if (!owned) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      logs[stream].on('write-ok', () => this.record('log-resumed', { stream, droppedLines: logs[stream].stats.droppedLines }));
      logs[stream].on('write-error', (error) =>
        this.record('log-error', { stream, error: (error as NodeJS.ErrnoException).code ?? error.message, droppedLines: logs[stream].stats.droppedLines }),
      );
    }
  }

  record(type: SupervisorEventType, fields: Record<string, unknown> = {}): SupervisorEvent {
    const event: SupervisorEvent = { time: new Date().toISOString(), service: this.source.service, instance: this.source.instance, type, ...fields };
    const line = JSON.stringify(event);
    if (!this.#closed) this.logs.events.writeLine(line);
    this.#recent.events.push(line);
    this.emit(event);
    return event;
  }

  /** Keeps an event written elsewhere (an instance's, forwarded by its Service) in memory too. */
  remember(event: SupervisorEvent): void {
    this.#recent.events.push(JSON.stringify(event));
  }

  /** Keeps an output line in memory (the pipe writes it to its file). */
  line(stream: LogStream, line: string): void {
    this.#recent[stream].push(line);
    if (stream === 'stderr' && this.source.stderrTailLines > 0) {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > this.source.stderrTailLines) this.#stderrTail.shift();
    }
  }

  /** A new run begins: the stderr tail is the latest run's (what explains its failure), not a mix of every restart's. */
  startRun(): void {
    this.#stderrTail = [];
  }

  get stderrTail(): string[] {
    return [...this.#stderrTail];
  }

  logPath(stream: LogStream | 'events'): string {
    return this.logs[stream === 'events' ? 'events' : stream].path;
  }

  /** The last `lines` lines of a log file (across one rotation). */
  tail(stream: LogStream | 'events', lines: number): string[] {
    return tailLog(this.logPath(stream), lines);
  }

  /** The last lines seen on a stream, from memory (at most RECENT_LINES). */
  recent(stream: LogStream | 'events', lines: number): string[] {
    return this.#recent[stream].last(lines);
  }

  /** Of stdout and stderr: lines dropped on write errors, bytes waiting for the disk, bytes written. */
  get logCounts(): { droppedLogLines: number; logBufferedBytes: number; logBytesWritten: number } {
    const { stdout, stderr } = this.logs;
    return {
      droppedLogLines: stdout.stats.droppedLines + stderr.stats.droppedLines,
      logBufferedBytes: stdout.queuedBytes + stderr.queuedBytes,
      logBytesWritten: stdout.stats.writtenBytes + stderr.stats.writtenBytes,
    };
  }

  flush(): Promise<void> {
    return flushServiceLogs(this.logs);
  }

  /** Events after this are kept in memory and emitted, not written; owned files are closed. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.owned) await closeServiceLogs(this.logs);
  }
}
