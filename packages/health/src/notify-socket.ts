import { createConnection, type Socket } from 'node:net';
import { NotifyError } from './errors.js';
import type { Notifier, NotifyLine } from './notifier.js';

/**
 * Any-language variant: newline-terminated lines over the Unix stream socket at
 * SVC_NOTIFY_SOCKET. One connection carries every line; it opens with MAINPID=<pid> so the
 * supervisor can attribute it, is unref'd so it never keeps the process alive, and is opened again
 * on the next line after the supervisor closes it.
 */
export function createSocketNotifier(path: string, pid: number = process.pid): Notifier {
  let socket: Socket | undefined;
  let closed = false;

  const connect = (): Socket => {
    const next = createConnection({ path });
    next.unref();
    next.setNoDelay(true);
    next.write(`MAINPID=${pid}\n`);
    const forget = () => {
      if (socket === next) socket = undefined;
    };
    // Errors reach the pending write callbacks too; this listener only keeps an 'error' event
    // from crashing the process and drops the dead connection.
    next.on('error', forget);
    next.on('close', forget);
    // The supervisor sends nothing today; reading keeps the connection from stalling if it does.
    next.resume();
    return next;
  };

  return {
    via: 'socket',
    send(line: NotifyLine) {
      if (closed) return Promise.reject(new NotifyError('socket', line, 'the notifier is closed'));
      socket ??= connect();
      const current = socket;
      return new Promise<void>((resolve, reject) => {
        current.write(`${line}\n`, (error) => {
          if (error) reject(new NotifyError('socket', line, `${path}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, error));
          else resolve();
        });
      });
    },
    close() {
      closed = true;
      socket?.end();
      socket = undefined;
    },
  };
}
