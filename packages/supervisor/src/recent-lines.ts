/**
 * The last lines of a stream, kept in memory so that "tail, then follow" can be answered in one
 * synchronous step: the tail and the subscription to new lines meet exactly, with no line lost
 * to the log writer's buffer and none sent twice. Bounded by a line count and a byte count.
 */
export class RecentLines {
  #lines: string[] = [];
  #start = 0;
  #bytes = 0;

  constructor(
    readonly maxLines: number,
    readonly maxBytes: number,
  ) {}

  push(line: string): void {
    this.#lines.push(line);
    this.#bytes += line.length;
    while (this.#lines.length - this.#start > this.maxLines || (this.#bytes > this.maxBytes && this.#lines.length - this.#start > 1)) {
      this.#bytes -= this.#lines[this.#start]!.length;
      this.#start++;
    }
    // Compact now and then rather than shifting on every line.
    if (this.#start > this.maxLines) {
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The last `count` lines held (fewer when fewer are held). */
  last(count: number): string[] {
    if (count <= 0) return [];
    return this.#lines.slice(Math.max(this.#start, this.#lines.length - count));
  }
}

/** How much of each stream a follow can start with. */
export const RECENT_LINES = { maxLines: 1000, maxBytes: 1024 * 1024 } as const;
