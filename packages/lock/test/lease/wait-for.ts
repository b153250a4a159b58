import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` until it holds (a readiness wait; fails after `timeoutMs`, which is generous). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
