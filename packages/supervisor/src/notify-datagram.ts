import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseDatagram, type ParsedDatagram } from './notify-vocabulary.js';

/*
 * The datagram socket named by NOTIFY_SOCKET: systemd's own notify socket, so `systemd-notify`,
 * sd_notify(3) and every client of it work under svc unchanged. Node has no Unix datagram sockets;
 * node-unix-socket (a napi-rs addon with prebuilt binaries, docs/decisions.md) provides them. It is
 * loaded on first use only — a native module costs tens of ms to load — and where it cannot load
 * (Windows, a libc it has no binary for) svc runs without NOTIFY_SOCKET and says why.
 *
 * Who may send: the socket is 0600 in the 0700 run directory, so only processes of the daemon's
 * user reach it (the library cannot read SCM_CREDENTIALS, so no sender pid is known); it is bound
 * afresh for each run and closed when that run is over, so what arrives on it is that run's.
 */

/** The part of node-unix-socket's DgramSocket svc uses. */
interface DgramSocketLike {
  bind(path: string): void;
  on(event: 'data', listener: (data: Buffer, from: string) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}
export type DgramSocketClass = new () => DgramSocketLike;

export type DatagramSupport = { ok: true; DgramSocket: DgramSocketClass } | { ok: false; reason: string };

/**
 * node-unix-socket, or why it cannot be used here. `load` is the require of the module (a test
 * passes one that throws, standing in for a platform with no binary).
 */
export function loadDatagramSupport(load: () => unknown = () => createRequire(import.meta.url)('node-unix-socket')): DatagramSupport {
  if (process.platform === 'win32') return { ok: false, reason: 'Windows has no Unix datagram sockets' };
  try {
    const { DgramSocket } = load() as { DgramSocket?: DgramSocketClass };
    if (typeof DgramSocket !== 'function') return { ok: false, reason: 'node-unix-socket has no DgramSocket' };
    return { ok: true, DgramSocket };
  } catch (error) {
    // No binary for this platform or libc, or the module is not installed: run without it.
    return { ok: false, reason: `node-unix-socket could not be loaded (${(error as Error).message.split('\n')[0]})` };
  }
}

export interface NotifyDatagramSocket {
  readonly path: string;
  /** Stops listening and removes the file, after what has already arrived is handled. */
  close(): Promise<void>;
}

/**
 * Binds a datagram socket at `path` (0600, replacing a file left there) and hands each datagram,
 * parsed, to `onDatagram`. A socket error (the library then closes the socket) goes to `onError`.
 * Throws when it cannot bind.
 */
export function createNotifyDatagram(
  DgramSocket: DgramSocketClass,
  path: string,
  onDatagram: (parsed: ParsedDatagram) => void,
  onError: (error: Error) => void,
): NotifyDatagramSocket {
  rmSync(path, { force: true });
  const socket = new DgramSocket();
  let closed = false;
  let closing: Promise<void> | null = null;
  socket.on('data', (data) => {
    if (!closed) onDatagram(parseDatagram(data));
  });
  socket.on('error', (error) => {
    if (!closed) onError(error);
  });
  try {
    socket.bind(path);
    chmodSync(path, 0o600);
  } catch (error) {
    socket.close();
    rmSync(path, { force: true });
    throw error;
  }
  return {
    path,
    close() {
      // Datagrams read in this turn of the loop are emitted on the next tick: let them through
      // (an ERRNO= sent just before the exit belongs to the run it ends).
      closing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        closed = true;
        socket.close();
        rmSync(path, { force: true });
      });
      return closing;
    },
  };
}
