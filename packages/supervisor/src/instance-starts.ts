import { isSupervisorError } from './errors.js';
import type { StateChange } from './events.js';
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

/** Starts a replacement and resolves once it is running; its first failure (no retry) rejects. */
export function startOnce(member: Supervisor): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onState = ({ to, reason }: StateChange) => {
      if (to === 'running') {
        member.off('state', onState);
        resolve();
      } else if (to === 'backoff' || to === 'crashed' || to === 'failed' || to === 'stopped') {
        member.off('state', onState);
        const exit = member.stats().lastExit;
        const how = exit === null ? to : exit.code !== null ? `exited with code ${exit.code}` : `ended by ${exit.signal ?? 'a signal'}`;
        reject(new Error(`${how} before it was ready (${reason})`));
      }
    };
    member.on('state', onState);
    member.start().catch((error: unknown) => {
      member.off('state', onState);
      reject(isSupervisorError(error) ? new Error(error.message) : (error as Error));
    });
  });
}
