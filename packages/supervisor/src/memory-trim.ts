import { createRequire } from 'node:module';

/**
 * glibc's malloc keeps what a process frees in its arenas, for the next allocation, and gives
 * back to the system only what lies at the top of an arena. The daemon's work is churn outside
 * the V8 heap — pipe buffers of every service's output, log lines, IPC frames — so over hours its
 * RSS crept up with a flat heap: measured in the soak run (bench/soak.mjs), 50 MB of its 97 MB
 * of anonymous memory was such free memory, and `malloc_trim(0)` gave it back in 7.5 ms.
 * So the daemon trims every so often (DAEMON_DEFAULTS.trimMemoryEveryMs). Linux with glibc
 * only, through koffi (already the daemon's way to libc, notify-datagram-linux.ts); musl has no
 * malloc_trim (its allocator returns memory itself), macOS's allocator does too.
 */

/** koffi, required where it is installed (the daemon's package depends on it). */
export const requireKoffi = (): unknown => createRequire(import.meta.url)('koffi');

/** glibc's `malloc_trim(0)` as a function, or the reason there is none here. */
export function loadMallocTrim(load: () => unknown = requireKoffi): (() => void) | string {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  try {
    const koffi = load() as { load(name: null): { func(signature: string): (pad: number) => number } };
    // The C library Node is linked with; musl has no such function, and func() throws.
    const trim = koffi.load(null).func('int malloc_trim(size_t)');
    return () => void trim(0);
  } catch (error) {
    return `no malloc_trim here: ${String((error as Error).message ?? error).split('\n')[0]}`;
  }
}

/** What the trimmer has done, for the daemon's metrics. */
export interface MemoryTrimStats {
  readonly trims: number;
  /** Time spent in malloc_trim, in all. */
  readonly seconds: number;
  /** Why it does not trim (no malloc_trim here); null while it does, or has not tried yet. */
  readonly unavailable: string | null;
}

/**
 * Calls malloc_trim every `everyMs` (0: never). The library is loaded at the first call, not at
 * the daemon's boot (which is on the path of every cold `svc start`); where there is none, the
 * timer stops and `unavailable` says why.
 */
export class MemoryTrimmer implements MemoryTrimStats {
  trims = 0;
  seconds = 0;
  unavailable: string | null = null;
  #trim: (() => void) | undefined;
  readonly #load: () => (() => void) | string;
  readonly #timer: NodeJS.Timeout | null;

  constructor(everyMs: number, load: () => (() => void) | string = loadMallocTrim) {
    this.#load = load;
    this.#timer = everyMs > 0 ? setInterval(() => this.trim(), everyMs).unref() : null;
  }

  /** One trim now (the timer's work). */
  trim(): void {
    if (this.unavailable !== null) return;
    if (this.#trim === undefined) {
      const loaded = this.#load();
      if (typeof loaded === 'string') {
        this.unavailable = loaded;
        this.stop();
        return;
      }
      this.#trim = loaded;
    }
    const started = performance.now();
    this.#trim();
    this.seconds += (performance.now() - started) / 1000;
    this.trims += 1;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }
}
