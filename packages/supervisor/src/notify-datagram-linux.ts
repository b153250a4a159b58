import { requireKoffi } from './memory-trim.js';

/*
 * NOTIFY_SOCKET on Linux, with the sender's credentials: the kernel attaches the sending process's
 * pid, uid and gid to each datagram (SCM_CREDENTIALS, once SO_PASSCRED is set), which is how
 * systemd tells a service's own messages from anyone else's. Node has no Unix datagram sockets, and
 * no library of them reads ancillary data, so the few system calls are made through koffi (a C FFI
 * with prebuilt binaries, docs/decisions.md): socket, setsockopt, bind, fcntl, recvmsg, close.
 *
 * Waking up: the socket is non-blocking and set to signal-driven I/O (O_ASYNC, owner this
 * process), so the kernel sends SIGIO when a datagram arrives; Node delivers the signal on the
 * event loop like any other, and every open socket is read until it is empty. No thread waits and
 * nothing polls. The SIGIO listener is there only while a socket is open (a signal listener does
 * not keep Node's loop alive).
 */

/** Who sent a datagram, as the kernel says. */
export interface DatagramSender {
  pid: number;
  uid: number;
  gid: number;
}

export type OnDatagram = (data: Buffer, sender: DatagramSender | null) => void;

/**
 * Linux's values, the same on every architecture named here (the asm-generic ones); others (PowerPC,
 * MIPS, SPARC) number some of them differently and are not offered the socket.
 */
const ARCHITECTURES = new Set(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'loong64']);
const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_PASSCRED = 16;
const SCM_RIGHTS = 1;
const SCM_CREDENTIALS = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_SETOWN = 8;
const O_NONBLOCK = 0o4000;
const O_ASYNC = 0o20000;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const MSG_CMSG_CLOEXEC = 0x40000000;
const EAGAIN = 11;
const EINTR = 4;
/** sockaddr_un: a 2-byte family, then 108 bytes of path. */
const SUN_PATH_BYTES = 108;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  bind(fd: number, address: Buffer, length: number): number;
  fcntl(fd: number, command: number, ...rest: unknown[]): number;
  recvmsg(fd: number, message: MessageHeader, flags: number): number;
  close(fd: number): number;
  errno(): number;
  /** strerror's text for `errno`. */
  describe(errno: number): string;
  /** sizeof(size_t): a control message's length field, and its alignment. */
  word: number;
}

interface MessageHeader {
  name: null;
  namelen: number;
  iov: Array<{ base: Buffer; len: number }>;
  iovlen: number;
  control: Buffer;
  controllen: number;
  flags: number;
}

/** koffi's part of libc, bound once. Throws where koffi or libc cannot be loaded. */
function bindLibc(load: () => unknown): Libc {
  if (!ARCHITECTURES.has(process.arch)) throw new Error(`${process.arch} numbers its socket options differently; svc knows ${[...ARCHITECTURES].join(', ')}`);
  const koffi = load() as {
    load(name: string | null): { func(...signature: unknown[]): (...args: unknown[]) => unknown };
    struct(fields: Record<string, unknown>): unknown;
    pointer(type: unknown): unknown;
    inout(type: unknown): unknown;
    sizeof(type: string): number;
    errno(): number;
  };
  // The C library Node itself is linked with (glibc or musl), whatever its file is called.
  const lib = koffi.load(null);
  const iovec = koffi.struct({ base: 'void *', len: 'size_t' });
  const msghdr = koffi.struct({ name: 'void *', namelen: 'uint32_t', iov: koffi.pointer(iovec), iovlen: 'size_t', control: 'void *', controllen: 'size_t', flags: 'int' });
  const strerror = lib.func('const char *strerror(int)') as (errno: number) => string;
  return {
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
    bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
    fcntl: lib.func('int fcntl(int, int, ...)') as Libc['fcntl'],
    recvmsg: lib.func('recvmsg', 'intptr_t', ['int', koffi.inout(koffi.pointer(msghdr)), 'int']) as Libc['recvmsg'],
    close: lib.func('int close(int)') as Libc['close'],
    errno: () => koffi.errno(),
    describe: (errno) => `${strerror(errno)} (errno ${errno})`,
    word: koffi.sizeof('size_t'),
  };
}

/** The open sockets, each read to the end at every SIGIO. */
const open = new Map<number, () => void>();

function onSigio(): void {
  for (const read of [...open.values()]) read();
}

/** libc bound through each loader, or why it could not be (kept: a second try would fail the same way). */
const bound = new WeakMap<() => unknown, Libc | Error>();

export interface CredentialedDatagram {
  close(): void;
}

/**
 * libc through koffi, or the error that says why not (koffi has no binary here, not Linux…).
 * `load` is the require of koffi (a test passes one that throws).
 */
export function loadCredentialedDatagrams(load: () => unknown = requireKoffi): { bind: BindCredentialed } {
  if (process.platform !== 'linux') throw new Error('SCM_CREDENTIALS is Linux only');
  if (!bound.has(load)) {
    try {
      bound.set(load, bindLibc(load));
    } catch (error) {
      bound.set(load, error as Error);
    }
  }
  const libc = bound.get(load)!;
  if (libc instanceof Error) throw libc;
  return { bind: (path, maxBytes, onDatagram, onError) => bindCredentialed(libc, path, maxBytes, onDatagram, onError) };
}

type BindCredentialed = (path: string, maxBytes: number, onDatagram: OnDatagram, onError: (error: Error) => void) => CredentialedDatagram;

/**
 * Binds a datagram socket at `path` that hands each datagram and its sender to `onDatagram`
 * (file descriptors a sender attaches, e.g. `systemd-notify`'s barrier, are closed at once).
 * A datagram larger than `maxBytes` is cut to `maxBytes + 1` bytes, so the caller sees it is too
 * large. A read that fails for another reason than an empty socket goes to `onError`, and the
 * socket is read no more. Throws with the system's reason when the socket cannot be made or bound.
 */
function bindCredentialed(libc: Libc, path: string, maxBytes: number, onDatagram: OnDatagram, onError: (error: Error) => void): CredentialedDatagram {
  const fail = (what: string) => new Error(`${what}: ${libc.describe(libc.errno())}`);
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw fail('socket');
  const address = Buffer.alloc(2 + SUN_PATH_BYTES);
  address.writeUInt16LE(AF_UNIX, 0);
  const pathBytes = Buffer.from(path);
  if (pathBytes.length >= SUN_PATH_BYTES) {
    libc.close(fd);
    throw new Error(`bind: the path is ${pathBytes.length} bytes, a socket's is at most ${SUN_PATH_BYTES - 1}`);
  }
  pathBytes.copy(address, 2);
  const on = Buffer.alloc(4);
  on.writeInt32LE(1);
  for (const [what, call] of [
    ['setsockopt SO_PASSCRED', () => libc.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, on, 4)],
    ['bind', () => libc.bind(fd, address, 2 + pathBytes.length + 1)],
  ] as const) {
    if (call() !== 0) {
      const error = fail(what);
      libc.close(fd);
      throw error;
    }
  }
  const data = Buffer.alloc(maxBytes + 1);
  // Credentials (12 bytes) and a few descriptors, each with its header, fit in 256.
  const control = Buffer.alloc(256);
  // struct cmsghdr: a size_t length, an int level, an int type, then the data, each aligned to a size_t.
  const align = (n: number) => (n + libc.word - 1) & ~(libc.word - 1);
  const headerBytes = align(libc.word + 8);
  const lengthAt = (at: number) => (libc.word === 8 ? Number(control.readBigUInt64LE(at)) : control.readUInt32LE(at));
  const read = () => {
    for (;;) {
      const header: MessageHeader = { name: null, namelen: 0, iov: [{ base: data, len: data.length }], iovlen: 1, control, controllen: control.length, flags: 0 };
      const size = libc.recvmsg(fd, header, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (size < 0) {
        const errno = libc.errno();
        if (errno === EINTR) continue;
        // EAGAIN: read to the end. Anything else: this socket is read no more.
        if (errno !== EAGAIN) {
          open.delete(fd);
          onError(new Error(`recvmsg: ${libc.describe(errno)}`));
        }
        return;
      }
      let sender: DatagramSender | null = null;
      const used = Math.min(Number(header.controllen), control.length);
      for (let at = 0; at + headerBytes <= used; ) {
        const length = lengthAt(at);
        if (length < headerBytes) break;
        const level = control.readInt32LE(at + libc.word);
        const type = control.readInt32LE(at + libc.word + 4);
        const body = at + headerBytes;
        if (level === SOL_SOCKET && type === SCM_CREDENTIALS && length >= headerBytes + 12) {
          sender = { pid: control.readInt32LE(body), uid: control.readUInt32LE(body + 4), gid: control.readUInt32LE(body + 8) };
        } else if (level === SOL_SOCKET && type === SCM_RIGHTS) {
          for (let i = body; i + 4 <= Math.min(at + length, used); i += 4) libc.close(control.readInt32LE(i));
        }
        at += align(length);
      }
      const cut = (header.flags & MSG_TRUNC) !== 0;
      onDatagram(Buffer.from(data.subarray(0, cut ? data.length : size)), sender);
    }
  };
  if (open.size === 0) process.on('SIGIO', onSigio);
  open.set(fd, read);
  // The listener is in place before the kernel may send the signal (its default action ends the process).
  const flags = libc.fcntl(fd, F_GETFL);
  if (libc.fcntl(fd, F_SETOWN, 'int', process.pid) !== 0 || libc.fcntl(fd, F_SETFL, 'int', flags | O_NONBLOCK | O_ASYNC) !== 0) {
    const error = fail('fcntl');
    release(libc, fd);
    throw error;
  }
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      // What arrived and has not been signalled yet is read first: it belongs to this run.
      if (open.has(fd)) read();
      release(libc, fd);
    },
  };
}

function release(libc: Libc, fd: number): void {
  open.delete(fd);
  libc.close(fd);
  if (open.size === 0) process.off('SIGIO', onSigio);
}
