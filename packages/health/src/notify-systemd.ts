import { spawn as nodeSpawn } from 'node:child_process';
import { NotifyError } from './errors.js';
import type { Notifier, NotifyLine } from './notifier.js';

/**
 * Under systemd (NOTIFY_SOCKET set). systemd's socket is a Unix *datagram* socket, which Node's
 * net module cannot open, so each line is handed to the `systemd-notify` command. The unit needs
 * `NotifyAccess=all`, because the message comes from that short-lived child, not from the main PID.
 * Heartbeat calls are unref'd: a slow systemd-notify must not hold the process open at exit.
 */
export function createSystemdNotifier(command: string, env: NodeJS.ProcessEnv, spawn: typeof nodeSpawn = nodeSpawn): Notifier {
  return {
    via: 'systemd',
    send(line: NotifyLine) {
      return new Promise<void>((resolve, reject) => {
        const child = spawn(command, [line], { env, stdio: 'ignore' });
        if (line === 'WATCHDOG=1') child.unref();
        child.once('error', (error: NodeJS.ErrnoException) => {
          reject(new NotifyError('systemd', line, `${command}: ${error.code ?? error.message}`, error));
        });
        child.once('exit', (code, signal) => {
          if (code === 0) resolve();
          else reject(new NotifyError('systemd', line, `${command} exited with ${signal ?? `code ${code}`}`));
        });
      });
    },
    close: () => undefined,
  };
}
