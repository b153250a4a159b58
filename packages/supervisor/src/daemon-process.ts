import { createDaemon, type DaemonOptions } from './daemon.js';
import { isSupervisorError } from './errors.js';

/**
 * The body of a daemon process (`bin/daemon.mjs`, what `ensureDaemon` spawns): serves until the
 * daemon is done, its output going to the daemon's log. A second daemon that loses the lock to
 * another exits quietly (status 0): the client that spawned it waits for the winner.
 */
export async function runDaemonProcess(options: DaemonOptions = {}): Promise<void> {
  let daemon;
  try {
    daemon = await createDaemon(options);
  } catch (error) {
    if (isSupervisorError(error) && error.code === 'EDAEMON_LOCKED') {
      process.stdout.write(`svc daemon (pid ${process.pid}) not started: ${error.message}\n`);
      return;
    }
    const e = error as Error & { code?: string };
    process.stderr.write(`svc daemon (pid ${process.pid}) failed to start: ${e.code ? `${e.code} ` : ''}${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${new Date().toISOString()} svc daemon ${daemon.version} (pid ${process.pid}) serving ${daemon.socketPath}\n`);
  await daemon.done;
  process.stdout.write(`${new Date().toISOString()} svc daemon (pid ${process.pid}) exiting\n`);
}
