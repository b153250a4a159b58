import { spawn as nodeSpawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import { NotifyError } from './errors.js';
import type { Notifier, NotifyLine } from './notifier.js';

/** The part of node-unix-socket's DgramSocket this uses. */
interface DgramSocketLike {
  sendTo(data: Buffer, offset: number, length: number, path: string, callback: (error?: Error) => void): void;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}
export type DgramSocketClass = new () => DgramSocketLike;

/** node-unix-socket's DgramSocket, or null where it cannot load (Windows, a libc with no prebuilt binary, not installed). */
export function loadDgramSocket(load: () => unknown = () => createRequire(import.meta.url)('node-unix-socket')): DgramSocketClass | null {
  if (process.platform === 'win32') return null;
  try {
    const { DgramSocket } = load() as { DgramSocket?: DgramSocketClass };
    return typeof DgramSocket === 'function' ? DgramSocket : null;
  } catch {
    // Not loadable here: the systemd-notify command is the way, as it was before the library.
    return null;
  }
}

/**
 * Under systemd (NOTIFY_SOCKET set; svc sets it too). The socket is a Unix *datagram* socket, which
 * Node's net module cannot open: each line goes as one datagram through node-unix-socket, from this
 * process itself (so `NotifyAccess=main`, systemd's default, hears it). The library is loaded on the
 * first line, not before. Where it cannot load, or NOTIFY_SOCKET names an abstract socket (`@…`,
 * which the library cannot address), each line is handed to the `systemd-notify` command instead;
 * that message comes from a short-lived child, so the unit then needs `NotifyAccess=all`.
 * A socket lives for one send only: an open one would keep the process alive.
 */
export function createSystemdNotifier(
  command: string,
  env: NodeJS.ProcessEnv,
  spawn: typeof nodeSpawn = nodeSpawn,
  loadDgram: () => DgramSocketClass | null = loadDgramSocket,
): Notifier {
  const path = env.NOTIFY_SOCKET ?? '';
  let DgramSocket: DgramSocketClass | null | undefined;

  const viaDatagram = (Socket: DgramSocketClass, line: NotifyLine) =>
    new Promise<void>((resolve, reject) => {
      const data = Buffer.from(line);
      const socket = new Socket();
      const fail = (error: Error) => {
        socket.close();
        reject(new NotifyError('systemd', line, `${path}: ${error.message}`, error));
      };
      // The library closes the socket on an error and emits it: without a listener it would throw.
      socket.on('error', fail);
      try {
        socket.sendTo(data, 0, data.length, path, (error) => {
          if (error) return fail(error);
          socket.close();
          resolve();
        });
      } catch (error) {
        fail(error as Error);
      }
    });

  const viaCommand = (line: NotifyLine) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, [line], { env, stdio: 'ignore' });
      // Unref'd: a slow systemd-notify must not hold the process open at exit.
      if (line === 'WATCHDOG=1') child.unref();
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(new NotifyError('systemd', line, `${command}: ${error.code ?? error.message}`, error));
      });
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new NotifyError('systemd', line, `${command} exited with ${signal ?? `code ${code}`}`));
      });
    });

  return {
    via: 'systemd',
    send(line: NotifyLine) {
      if (DgramSocket === undefined) DgramSocket = isAbsolute(path) ? loadDgram() : null;
      return DgramSocket ? viaDatagram(DgramSocket, line) : viaCommand(line);
    },
    close: () => undefined,
  };
}
