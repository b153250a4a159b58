import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadCredentialedDatagrams, type DatagramSender, type OnDatagram } from './notify-datagram-linux.js';
import { MAX_NOTIFY_DATAGRAM_BYTES, parseDatagram, type ParsedDatagram } from './notify-vocabulary.js';

/*
 * The datagram socket named by NOTIFY_SOCKET: systemd's own notify socket, so `systemd-notify`,
 * sd_notify(3) and every client of it work under svc unchanged. Node has no Unix datagram sockets.
 * On Linux svc makes its own through koffi (notify-datagram-linux.ts), reading each sender's
 * credentials, so only the service's own processes are heard; elsewhere (macOS, where systemd's
 * protocol is rarely spoken) node-unix-socket receives, without credentials. docs/decisions.md
 * says why. Either is loaded on first use only, and where neither can load (Windows, a platform
 * without a binary) svc runs without NOTIFY_SOCKET and says why.
 *
 * Who can reach it at all: the socket is 0600 in the 0700 run directory, bound afresh for each run
 * and closed when that run is over, so what arrives on it is that run's.
 */

/** The part of node-unix-socket's DgramSocket svc uses. */
interface DgramSocketLike {
  bind(path: string): void;
  on(event: 'data', listener: (data: Buffer, from: string) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}
type DgramSocketClass = new () => DgramSocketLike;

/** A bound datagram socket of either kind. */
interface BoundDatagram {
  close(): void;
}

export type DatagramSupport =
  | {
      ok: true;
      /** Binds `path`; each datagram goes to `onDatagram` with its sender (Linux; null elsewhere, where every sender is taken at its word). */
      bind(path: string, onDatagram: OnDatagram, onError: (error: Error) => void): BoundDatagram;
    }
  | { ok: false; reason: string };

const firstLine = (error: unknown) => (error as Error).message.split('\n')[0];

/**
 * The datagram socket this platform can have, or why none. `loadKoffi` and `loadUnixSocket` are
 * the requires of the two libraries (a test passes ones that throw, standing in for a platform
 * with no binary).
 */
export function loadDatagramSupport(
  loadKoffi?: () => unknown,
  loadUnixSocket: () => unknown = () => createRequire(import.meta.url)('node-unix-socket'),
): DatagramSupport {
  if (process.platform === 'win32') return { ok: false, reason: 'Windows has no Unix datagram sockets' };
  if (process.platform === 'linux') {
    try {
      const credentialed = loadCredentialedDatagrams(loadKoffi);
      return { ok: true, bind: (path, onDatagram, onError) => credentialed.bind(path, MAX_NOTIFY_DATAGRAM_BYTES, onDatagram, onError) };
    } catch (error) {
      return { ok: false, reason: `koffi could not be loaded (${firstLine(error)})` };
    }
  }
  try {
    const { DgramSocket } = loadUnixSocket() as { DgramSocket?: DgramSocketClass };
    if (typeof DgramSocket !== 'function') return { ok: false, reason: 'node-unix-socket has no DgramSocket' };
    return { ok: true, bind: (path, onDatagram, onError) => bindUnixSocket(DgramSocket, path, onDatagram, onError) };
  } catch (error) {
    // No binary for this platform or libc, or the module is not installed: run without it.
    return { ok: false, reason: `node-unix-socket could not be loaded (${firstLine(error)})` };
  }
}

function bindUnixSocket(DgramSocket: DgramSocketClass, path: string, onDatagram: OnDatagram, onError: (error: Error) => void): BoundDatagram {
  const socket = new DgramSocket();
  socket.on('data', (data) => onDatagram(data, null));
  socket.on('error', onError);
  try {
    socket.bind(path);
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

export interface NotifyDatagramSocket {
  readonly path: string;
  /** Stops listening and removes the file, after what has already arrived is handled. */
  close(): Promise<void>;
}

/**
 * Binds a datagram socket at `path` (0600, replacing a file left there) and hands each datagram,
 * parsed, with its sender (null where the platform gives none), to `onDatagram`. A socket error
 * (the socket is read no more) goes to `onError`. Throws when it cannot bind.
 */
export function createNotifyDatagram(
  support: Extract<DatagramSupport, { ok: true }>,
  path: string,
  onDatagram: (parsed: ParsedDatagram, sender: DatagramSender | null) => void,
  onError: (error: Error) => void,
): NotifyDatagramSocket {
  rmSync(path, { force: true });
  let closed = false;
  let closing: Promise<void> | null = null;
  let socket: BoundDatagram;
  try {
    socket = support.bind(
      path,
      (data, sender) => {
        if (!closed) onDatagram(parseDatagram(data), sender);
      },
      (error) => {
        if (!closed) onError(error);
      },
    );
  } catch (error) {
    rmSync(path, { force: true });
    throw error;
  }
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    socket.close();
    rmSync(path, { force: true });
    throw error;
  }
  return {
    path,
    close() {
      // Datagrams read in this turn of the loop may be handed over on the next: let them through
      // (an ERRNO= sent just before the exit belongs to the run it ends). The socket reads what is
      // still queued as it closes.
      closing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        socket.close();
        closed = true;
        rmSync(path, { force: true });
      });
      return closing;
    },
  };
}
