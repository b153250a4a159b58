import { chmod, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { IpcError, IpcOptionsError, IpcPathError } from './errors.js';
import { isPipeName, resolveIpcPath } from './ipc-path.js';
import { type IpcMethods, resolveMethods } from './methods.js';
import { positiveInteger, SERVER_DEFAULTS } from './options.js';
import { clearStaleSocket, currentUid, ensurePrivateDir, octal } from './secure-path.js';
import { type ConnectionSettings, ServerConnection } from './server-connection.js';

export interface IpcServerOptions<T extends IpcMethods = IpcMethods> {
  /** Socket path (POSIX) or pipe name / path mapped to a pipe (Windows). See `resolveIpcPath`. */
  path: string;
  /** The method table; build it with `defineMethods` to keep its types. */
  methods: T;
  maxFrameBytes?: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs?: number;
  frameTimeoutMs?: number;
  maxConnections?: number;
  maxInFlightPerConnection?: number;
  maxWriteBufferBytes?: number;
  maxJsonDepth?: number;
  probeTimeoutMs?: number;
  /**
   * Called with what a handler, a `subscribe` or a dispose function threw, stack included, for the
   * server's own log. The client only ever gets the code and message.
   */
  onError?: (error: unknown, info: { method: string; connectionId: number }) => void;
}

export interface ResolvedIpcServerOptions extends ConnectionSettings {
  readonly path: string;
  readonly maxConnections: number;
  readonly probeTimeoutMs: number;
}

export interface IpcServer {
  /** The address bound: an absolute socket path, or a `\\.\pipe\…` name on Windows. */
  readonly path: string;
  /** Connections open now. */
  readonly connectionCount: number;
  /**
   * Stops accepting, aborts calls in flight (their `ctx.signal`), ends subscriptions (their dispose
   * functions run), closes every connection and removes the socket file. Idempotent.
   */
  close(): Promise<void>;
  /**
   * Listens again at `path` — for a socket file that was removed under the server (a cleaner of
   * /run or /tmp): a new listener is bound as at the start (0700 directory, 0600 socket), and the
   * connections being served are kept. Rejects as `createIpcServer` does (EIPC_IN_USE when a live
   * socket of someone else is there now).
   */
  relisten(): Promise<void>;
}

export function resolveServerOptions(options: IpcServerOptions): ResolvedIpcServerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new IpcOptionsError('options', options, 'an object { path, methods, … }');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new IpcOptionsError('onError', options.onError, 'a function or undefined');
  }
  return {
    path: resolveIpcPath(options.path),
    methods: resolveMethods(options.methods),
    maxFrameBytes: positiveInteger('maxFrameBytes', options.maxFrameBytes, SERVER_DEFAULTS.maxFrameBytes),
    idleTimeoutMs: positiveInteger('idleTimeoutMs', options.idleTimeoutMs, SERVER_DEFAULTS.idleTimeoutMs, { allowZero: true, timer: true }),
    frameTimeoutMs: positiveInteger('frameTimeoutMs', options.frameTimeoutMs, SERVER_DEFAULTS.frameTimeoutMs, { timer: true }),
    maxConnections: positiveInteger('maxConnections', options.maxConnections, SERVER_DEFAULTS.maxConnections),
    maxInFlightPerConnection: positiveInteger(
      'maxInFlightPerConnection',
      options.maxInFlightPerConnection,
      SERVER_DEFAULTS.maxInFlightPerConnection,
    ),
    maxWriteBufferBytes: positiveInteger('maxWriteBufferBytes', options.maxWriteBufferBytes, SERVER_DEFAULTS.maxWriteBufferBytes),
    maxJsonDepth: positiveInteger('maxJsonDepth', options.maxJsonDepth, SERVER_DEFAULTS.maxJsonDepth),
    probeTimeoutMs: positiveInteger('probeTimeoutMs', options.probeTimeoutMs, SERVER_DEFAULTS.probeTimeoutMs, { timer: true }),
    onError: options.onError,
  };
}

/**
 * Starts an admin server on a Unix socket (a named pipe on Windows). Resolves once it listens.
 * POSIX: the socket's directory is created 0700 (or must already be ours and 0700), an existing
 * path is replaced only when it is our own dead socket, and the socket is 0600 from the moment it
 * exists. Rejects with EIPC_IN_USE, EIPC_INSECURE_PATH, EIPC_PATH_TOO_LONG, EIPC_INVALID_OPTIONS.
 */
export async function createIpcServer<T extends IpcMethods>(options: IpcServerOptions<T>): Promise<IpcServer> {
  const resolved = resolveServerOptions(options);
  const address = resolved.path;
  const uid = currentUid();
  // Named pipes live in no directory and have no mode bits; their ACL is Windows' default.
  const isSocketFile = !isPipeName(address) && uid !== null;
  const connections = new Set<ServerConnection>();
  let nextConnectionId = 0;

  const listen = async (): Promise<net.Server> => {
    if (isSocketFile) {
      await ensurePrivateDir(path.dirname(address), uid);
      await clearStaleSocket(address, uid, resolved.probeTimeoutMs);
    }
    const listener = net.createServer({ allowHalfOpen: true });
    listener.on('connection', (socket) => {
      const connection = new ServerConnection(++nextConnectionId, socket, resolved, (closed) => connections.delete(closed));
      if (connections.size >= resolved.maxConnections) {
        connection.reject(
          new IpcError('EIPC_BUSY', `@svc/ipc: the server already has ${resolved.maxConnections} connections (maxConnections); try again later.`),
        );
        return;
      }
      connections.add(connection);
    });
    // After listening, errors on the server itself are accept() failures (EMFILE): a connection was
    // dropped, the server keeps going. Before listening they reject the start (listenPrivately).
    listener.on('error', () => undefined);
    await listenPrivately(listener, address);
    if (isSocketFile) await checkSocketMode(address);
    return listener;
  };

  let server = await listen();
  let closing: Promise<void> | null = null;
  return {
    path: address,
    get connectionCount() {
      return connections.size;
    },
    async relisten() {
      if (closing) throw new IpcError('EIPC_CLOSED', '@svc/ipc: the server is closed.');
      // Closing a Unix-socket listener unlinks its path: the old one goes first, or it would
      // remove the new socket. Its connections are the server's and stay open.
      server.close();
      server = await listen();
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const open = [...connections];
        for (const connection of open) connection.shutdown();
        await Promise.all([stopped, ...open.map((connection) => connection.closed)]);
      })();
      return closing;
    },
  };
}

/** POSIX: bind with umask 0177 so the socket is created 0600; the mode is never wider, not even briefly. */
const SOCKET_UMASK = 0o177;

function listenPrivately(server: net.Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, address));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    const previous = setUmask(SOCKET_UMASK);
    try {
      // `exclusive` makes even a cluster worker bind here, synchronously, while our umask is set.
      server.listen({ path: address, exclusive: true });
    } finally {
      if (previous !== null) process.umask(previous);
    }
  });
}

/**
 * process.umask(mask) throws in worker threads (the umask is per process). There we bind with the
 * inherited umask: the socket's directory is already ours and 0700, so nobody else can reach the
 * socket in the moment before checkSocketMode() narrows it.
 */
function setUmask(mask: number): number | null {
  try {
    return process.umask(mask);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_UNSUPPORTED_OPERATION') return null;
    throw error;
  }
}

async function checkSocketMode(address: string): Promise<void> {
  const stats = await stat(address);
  if ((stats.mode & 0o177) !== 0) {
    // Only reachable in a worker thread (see setUmask) or on a file system that ignores the umask.
    await chmod(address, 0o600);
    const after = await stat(address);
    if ((after.mode & 0o177) !== 0) {
      throw new IpcPathError('EIPC_INSECURE_PATH', address, `@svc/ipc: socket ${address} is ${octal(after.mode)} and cannot be made 0600.`);
    }
  }
}

function listenError(error: NodeJS.ErrnoException, address: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new IpcPathError('EIPC_IN_USE', address, `@svc/ipc: ${address} is already in use by another server.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new IpcPathError('EIPC_ACCESS_DENIED', address, `@svc/ipc: no permission to create ${address} (${error.code}).`, {
        cause: error,
      });
    default:
      return error;
  }
}
