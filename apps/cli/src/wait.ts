import { CliError } from './errors.js';

/** Polls `done` every 25 ms until it is true; throws (or returns false) after `timeoutMs`. */
export async function waitFor(done: () => Promise<boolean> | boolean, timeoutMs: number, what: string, options: { throwOnTimeout?: boolean } = {}): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (performance.now() > deadline) {
      if (options.throwOnTimeout === false) return false;
      throw new CliError('ETIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * How long a start, stop or restart request may take end to end. The daemon bounds each step
 * itself (readiness timeout, stop timeout, backoff); this only keeps a wedged daemon from
 * hanging the CLI for ever.
 */
export const CONTROL_TIMEOUT_MS = 10 * 60_000;
