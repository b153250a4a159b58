import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { ListenError } from './errors.js';

/** `util.getSystemErrorName`, required (not imported): an ES import of node:util builds its whole namespace (≈ 3 ms of the daemon's boot, worker_threads included). */
function getSystemErrorName(errno: number): string {
  return (createRequire(import.meta.url)('node:util') as typeof import('node:util')).getSystemErrorName(errno);
}

/**
 * A listening TCP socket that this process holds open but never accepts on: the instances of a
 * service accept on their copies of it (fd 3), the kernel spreads connections among them, and
 * while no instance accepts (a restart, a reload's gap) connections wait in its backlog instead
 * of being refused.
 */
export interface ListenSocket {
  readonly fd: number;
  readonly host: string;
  readonly port: number;
  close(): void;
}

/** The TCP handle Node's cluster module binds for its workers: bound, not listening, not polled. */
interface RawTcpHandle {
  readonly fd: number;
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}
type CreateServerHandle = (address: string, port: number, addressType: 4 | 6) => RawTcpHandle | number;

/**
 * Makes the socket listen — listen(2) — in a short-lived helper that exits in the same tick,
 * before its event loop could accept anything: Node has no public way to listen without accepting.
 */
const LISTEN_HELPER =
  "const [b]=process.argv.slice(1);require('node:net').createServer().on('error',e=>{process.stderr.write(String(e.code||e.message));process.exit(1)}).listen({fd:3,backlog:Number(b)},()=>process.exit(0))";

const HINTS: Record<string, string> = {
  EADDRINUSE: 'Another process holds the port: stop it or pick another port.',
  EACCES: 'Ports below 1024 need privileges (or CAP_NET_BIND_SERVICE): pick a higher port.',
  EADDRNOTAVAIL: 'The host is not an address of this machine.',
};

/**
 * Binds `host:port` and makes it listen with `backlog`. Node-internal: uses the handle factory
 * Node's cluster module uses (`net._createServerHandle`); if a Node release removes it, this
 * fails with ELISTEN saying so, and the tests of `listen` fail with it.
 */
export async function bindListenSocket(service: string, host: string, port: number, backlog: number): Promise<ListenSocket> {
  const create = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof create !== 'function') {
    throw new ListenError(service, host, port, 'EUNSUPPORTED', `This Node.js (${process.version}) lacks the socket factory svc holds listening sockets with.`);
  }
  let address = host;
  if (net.isIP(host) === 0) {
    try {
      // node:dns loads only for a host name to resolve: the daemon boots without it.
      const { lookup } = await import('node:dns/promises');
      address = (await lookup(host)).address;
    } catch (error) {
      throw new ListenError(service, host, port, (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND', 'The host name does not resolve.', error);
    }
  }
  const handle = create(address, port, net.isIP(address) === 6 ? 6 : 4);
  if (typeof handle === 'number') {
    const errno = getSystemErrorName(handle);
    throw new ListenError(service, host, port, errno, HINTS[errno] ?? 'See the system error.');
  }
  const out: { address?: string; port?: number } = {};
  const nameError = handle.getsockname(out);
  if (nameError !== 0 || out.port === 0) {
    // libuv keeps a bind's EADDRINUSE for the listen that follows (its "delayed error") and
    // leaves the socket unbound; getsockname reports it. A bound socket always has a port.
    handle.close();
    const errno = nameError < 0 ? getSystemErrorName(nameError) : 'EADDRINUSE';
    throw new ListenError(service, host, port, errno, HINTS[errno] ?? 'See the system error.');
  }
  const fd = handle.fd;
  if (typeof fd !== 'number' || fd < 0 || typeof out.port !== 'number') {
    handle.close();
    throw new ListenError(service, host, port, 'EUNSUPPORTED', 'The bound socket has no descriptor to hand over (listen is for Linux and macOS).');
  }
  try {
    await makeListening(fd, backlog);
  } catch (error) {
    handle.close();
    throw new ListenError(service, host, port, (error as Error).message, 'listen(2) failed on the bound socket.', error);
  }
  let closed = false;
  return {
    fd,
    host: address,
    port: out.port,
    close() {
      if (closed) return;
      closed = true;
      handle.close();
    },
  };
}

function makeListening(fd: number, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const helper = spawn(process.execPath, ['-e', LISTEN_HELPER, String(backlog)], {
      // Nothing of the caller's environment: NODE_OPTIONS could load code into the helper.
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', fd],
      windowsHide: true,
    });
    let stderr = '';
    helper.stderr!.setEncoding('utf8');
    helper.stderr!.on('data', (chunk: string) => (stderr += chunk.slice(0, 200)));
    helper.once('error', reject);
    helper.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `listen helper ended with ${signal ?? `code ${code}`}`));
    });
  });
}
