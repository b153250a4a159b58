import { createServer, type Server, type Socket } from 'node:net';
import { rmSync, chmodSync } from 'node:fs';
import { parseAssignment, type NotifyMessage } from './notify-vocabulary.js';

export type { NotifyMessage } from './notify-vocabulary.js';

/** Lines longer than this close the connection (docs/protocol.md). */
export const MAX_NOTIFY_LINE_BYTES = 4096;

export interface NotifySocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * The stream socket a service in any language writes systemd's notify vocabulary to (svc's own,
 * SVC_NOTIFY_SOCKET, older than the datagram NOTIFY_SOCKET and kept beside it). Each line is
 * parsed into a NotifyMessage; `MAINPID=<pid>` attributes the connection's later lines to that
 * pid (`pid` is null until then). Unknown and refused lines are ignored as systemd does.
 */
export async function createNotifySocket(
  path: string,
  onMessage: (message: NotifyMessage, pid: number | null) => void,
): Promise<NotifySocket> {
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let pid: number | null = null;
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        const message = parseNotifyLine(line);
        if (message?.kind === 'mainpid') pid = message.pid;
        else if (message) onMessage(message, pid);
      }
      if (Buffer.byteLength(buffered) > MAX_NOTIFY_LINE_BYTES) socket.destroy();
    });
    socket.on('error', () => {
      // A client that vanished mid-line: its connection is dropped, nothing else is affected.
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  server.unref();
  return {
    path,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    },
  };
}

/** One line of the stream socket: a message, or null for a line svc ignores. */
export function parseNotifyLine(line: string): NotifyMessage | null {
  const parsed = parseAssignment(line);
  return typeof parsed === 'string' ? null : parsed;
}

/** The IPC form of the same vocabulary, from a Node child's `process.send()`. */
export function parseIpcMessage(message: unknown): NotifyMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const { svc, text } = message as { svc?: unknown; text?: unknown };
  if (svc === 'ready' || svc === 'watchdog' || svc === 'stopping') return { kind: svc };
  if (svc === 'status' && typeof text === 'string') return { kind: 'status', text };
  return null;
}
