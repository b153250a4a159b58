/**
 * Counts spawns within a sliding window on the monotonic clock. When `count` spawns fell
 * within `windowMs`, another one would be a crash loop: the service goes to `failed`.
 */
export class CrashLoopWindow {
  readonly #count: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #starts: number[] = [];

  constructor(count: number, windowMs: number, now: () => number) {
    this.#count = count;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  recordStart(): void {
    this.#starts.push(this.#now());
    this.#prune();
  }

  /** Spawns seen within the window ending now. */
  get recentStarts(): number {
    this.#prune();
    return this.#starts.length;
  }

  /** True when another spawn would make `count + 1` within the window. */
  get isExhausted(): boolean {
    return this.recentStarts >= this.#count;
  }

  reset(): void {
    this.#starts = [];
  }

  #prune(): void {
    const cutoff = this.#now() - this.#windowMs;
    while (this.#starts.length > 0 && this.#starts[0]! <= cutoff) this.#starts.shift();
  }
}
