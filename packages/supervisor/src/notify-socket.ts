import { createServer, type Server, type Socket } from 'node:net';
import { rmSync, chmodSync } from 'node:fs';

export type NotifyMessage =
  | { kind: 'ready' }
  | { kind: 'watchdog' }
  | { kind: 'stopping' }
  | { kind: 'status'; text: string }
  | { kind: 'mainpid'; pid: number };

/** Lines longer than this close the connection (docs/protocol.md). */
export const MAX_NOTIFY_LINE_BYTES = 4096;

export interface NotifySocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * The stream socket a service in any language writes systemd's notify vocabulary to. Each line
 * is parsed into a NotifyMessage; `MAINPID=<pid>` attributes the connection's later lines to that
 * pid (`pid` is null until then). Unknown lines are ignored as systemd does.
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

export function parseNotifyLine(line: string): NotifyMessage | null {
  const eq = line.indexOf('=');
  if (eq === -1) return null;
  const key = line.slice(0, eq);
  const value = line.slice(eq + 1);
  if (key === 'READY' && value === '1') return { kind: 'ready' };
  if (key === 'WATCHDOG' && value === '1') return { kind: 'watchdog' };
  if (key === 'STOPPING' && value === '1') return { kind: 'stopping' };
  if (key === 'STATUS') return { kind: 'status', text: value };
  if (key === 'MAINPID' && /^\d+$/.test(value)) return { kind: 'mainpid', pid: Number(value) };
  return null;
}

/** The IPC form of the same vocabulary, from a Node child's `process.send()`. */
export function parseIpcMessage(message: unknown): NotifyMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const { svc, text } = message as { svc?: unknown; text?: unknown };
  if (svc === 'ready' || svc === 'watchdog' || svc === 'stopping') return { kind: svc };
  if (svc === 'status' && typeof text === 'string') return { kind: 'status', text };
  return null;
}
