/**
 * Polls `probe` until it returns something other than undefined/false/null, and returns that.
 * Throws after `timeoutMs`, naming what it waited for and the last value it saw. This is the only
 * way the suite waits: on a state it can observe, never on a fixed sleep.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = performance.now() + timeoutMs;
  let lastError: Error | null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
      lastError = null;
    } catch (error) {
      // A probe may fail while the state it looks at is still forming (a port not yet bound);
      // keep polling, and report the last failure if the wait times out.
      lastError = error instanceof Error ? error : new Error(String(error));
    }
    if (performance.now() > deadline) {
      const seen = options.describe ? await options.describe() : lastError ? lastError.message : 'the condition never held';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
