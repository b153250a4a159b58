import { EventEmitter } from 'node:events';
import type { LogStream } from './events.js';

/**
 * The last lines of a stream, kept in memory so that "tail, then follow" can be answered in one
 * synchronous step: the tail and the subscription to new lines meet exactly, with no line lost
 * to the log writer's buffer and none sent twice. Bounded by a line count and a byte count
 * (`sizeOf` an item: a string's length by default).
 */
export class RecentLines<T = string> {
  #lines: T[] = [];
  #start = 0;
  #bytes = 0;

  constructor(
    readonly maxLines: number,
    readonly maxBytes: number,
    private readonly sizeOf: (item: T) => number = (item) => (item as string).length,
  ) {}

  push(line: T): void {
    this.#lines.push(line);
    this.#bytes += this.sizeOf(line);
    while (this.#lines.length - this.#start > this.maxLines || (this.#bytes > this.maxBytes && this.#lines.length - this.#start > 1)) {
      this.#bytes -= this.sizeOf(this.#lines[this.#start]!);
      this.#start++;
    }
    // Compact now and then rather than shifting on every line.
    if (this.#start > this.maxLines) {
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The last `count` lines held (fewer when fewer are held). */
  last(count: number): T[] {
    if (count <= 0) return [];
    return this.#lines.slice(Math.max(this.#start, this.#lines.length - count));
  }

  clear(): void {
    this.#lines = [];
    this.#start = 0;
    this.#bytes = 0;
  }
}

/** How much of each stream a follow can start with. */
export const RECENT_LINES = { maxLines: 1000, maxBytes: 1024 * 1024 } as const;

/** A line of a service's output as a daemon keeps it for `logs`: which stream and instance, and when. */
export interface OutputLine {
  stream: LogStream;
  line: string;
  time: string;
  instance: number;
}

type Numbered = OutputLine & { seq: number };

/**
 * What a daemon keeps of a hosted service's output for `svc logs -f`: the last lines of stdout and
 * of stderr (RECENT_LINES each), each with its time and instance and numbered in the order they
 * came, so that both streams together are told in that order. Each line pushed is emitted as
 * `line` at once: a follow reads `last()` and listens in the same tick, and so meets the tail
 * exactly, with the same time on every line.
 */
export class RecentOutput extends EventEmitter<{ line: [OutputLine] }> {
  #seq = 0;
  readonly #streams: Record<LogStream, RecentLines<Numbered>> = {
    stdout: new RecentLines<Numbered>(RECENT_LINES.maxLines, RECENT_LINES.maxBytes, (l) => l.line.length),
    stderr: new RecentLines<Numbered>(RECENT_LINES.maxLines, RECENT_LINES.maxBytes, (l) => l.line.length),
  };

  push(line: OutputLine): void {
    this.#streams[line.stream].push({ ...line, seq: this.#seq++ });
    this.emit('line', line);
  }

  /** The last `count` lines of one stream, or of both (`output`) in the order they came. */
  last(stream: LogStream | 'output', count: number): OutputLine[] {
    const strip = ({ seq: _seq, ...line }: Numbered): OutputLine => line;
    if (stream !== 'output') return this.#streams[stream].last(count).map(strip);
    const both = [...this.#streams.stdout.last(count), ...this.#streams.stderr.last(count)];
    return both
      .sort((a, b) => a.seq - b.seq)
      .slice(-count)
      .map(strip);
  }

  /** Forgets the lines of a stream, or of both (its logs were flushed). */
  clear(stream: LogStream | 'output'): void {
    for (const s of stream === 'output' ? (['stdout', 'stderr'] as const) : [stream]) this.#streams[s].clear();
  }
}
