import { StartFailedError } from './errors.js';
import type { Supervisor } from './supervisor.js';

/*
 * How a Service waits for its instances to start: all of them (a start, a scale-up), or one
 * replacement's first outcome (a reload, which never retries a replacement).
 */

/** Waits for every start; rejects with the first failure once all have ended. */
export async function firstFailure(starts: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Starts a replacement and resolves once it is running. A start someone awaits ends at its first
 * failure (supervisor.ts), so this never retries: the rejection says what ended it.
 */
export async function startOnce(member: Supervisor): Promise<void> {
  try {
    await member.start();
  } catch (error) {
    throw error instanceof StartFailedError ? new Error(error.reason) : error;
  }
}
