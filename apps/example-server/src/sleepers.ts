import { spawn, type ChildProcess } from 'node:child_process';

/** A sleeper could not be started (no `sleep` on PATH, no process slots left). */
export class SpawnError extends Error {
  readonly code = 'ESPAWN';
  constructor(cause: Error) {
    super(`could not start a child process: ${cause.message}`, { cause });
    this.name = 'SpawnError';
  }
}

export interface SleeperPids {
  /** A plain child: in the server's process group, so it dies when that group is killed. */
  child: number;
  /** A child that called setsid(): its own session and process group, out of reach of a group kill. */
  detached: number;
}

/** Long enough to outlive any test or demo; each sleeper lives until something kills it. */
const SLEEP_SECONDS = '2147483647';

/**
 * Starts two `sleep` processes that only end when killed: one ordinary child, and one in a new
 * session (Node's `detached: true` calls setsid() in the child before exec). They exist to show
 * that a supervisor's stop leaves nothing behind, so the server itself never kills them.
 */
export async function spawnSleepers(): Promise<SleeperPids> {
  const [child, detached] = await Promise.all([
    started(spawn('sleep', [SLEEP_SECONDS], { stdio: 'ignore' })),
    started(spawn('sleep', [SLEEP_SECONDS], { stdio: 'ignore', detached: true })),
  ]);
  return { child, detached };
}

/** Resolves with the pid once the process runs; rejects when it could not be started. */
function started(sleeper: ChildProcess): Promise<number> {
  // The server must be able to exit while its sleepers live on.
  sleeper.unref();
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error): void => reject(new SpawnError(error));
    sleeper.once('error', onError);
    sleeper.once('spawn', () => {
      sleeper.removeListener('error', onError);
      // A sleeper killed later must not crash the server through an unhandled 'error' event.
      sleeper.on('error', () => undefined);
      resolve(sleeper.pid!);
    });
  });
}
