import { Server as NetServer, type AddressInfo } from 'node:net';
import { LISTEN_DEFAULTS } from './defaults.js';
import { DrainEnvError, DrainListenError, DrainOptionsError } from './errors.js';
import { positiveInteger } from './options.js';
import { isSupervisorMessage } from './supervisor-channel.js';
import { handedOver } from './backlog.js';

export type ListenSource = 'ipc' | 'systemd' | 'port';

export interface ListenOptions {
  /** Port to bind when no socket is handed over; a number or a string of digits (such as `process.env.PORT`). */
  port?: number | string;
  host?: string;
  backlog?: number;
  handoffTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ListenResult {
  /** Where the socket came from: the svc supervisor, systemd socket activation, or our own bind. */
  source: ListenSource;
  address: AddressInfo | string | null;
}

/** Every option `listen()` accepts; the docs page's table is checked against it. */
export const LISTEN_OPTION_NAMES = ['port', 'host', 'backlog', 'handoffTimeoutMs', 'env'] as const satisfies ReadonlyArray<keyof ListenOptions>;

/** systemd passes sockets from this descriptor on (SD_LISTEN_FDS_START). */
const SD_LISTEN_FDS_START = 3;

/**
 * Serves `server` on the socket a supervisor hands over, or on its own port when there is none:
 * - `SVC_LISTEN=ipc` with `SVC_NOTIFY=ipc`: waits for the svc supervisor's `{ svc: 'listen' }`
 *   message carrying a server handle. Call it early at startup: a message that arrives before the
 *   listener exists is lost.
 * - `LISTEN_PID` equal to this process's pid and `LISTEN_FDS` ≥ 1 (systemd socket activation, or
 *   svc for a service that is not Node): serves on fd 3, then removes the three `LISTEN_*`
 *   variables from `env` so that child processes do not take them for their own.
 * - otherwise binds `port` (and `host`).
 * Resolves once the server is listening.
 */
export async function listen(server: NetServer, options: ListenOptions = {}): Promise<ListenResult> {
  if (!(server instanceof NetServer)) throw new DrainOptionsError('server', server, 'a net/http/https/http2 server');
  if (typeof options !== 'object' || options === null) throw new DrainOptionsError('options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!(LISTEN_OPTION_NAMES as readonly string[]).includes(key)) {
      throw new DrainOptionsError(key, (options as Record<string, unknown>)[key], `no such option of listen() (known: ${LISTEN_OPTION_NAMES.join(', ')})`);
    }
  }
  const env = options.env ?? process.env;
  const handoffTimeoutMs = positiveInteger('handoffTimeoutMs', options.handoffTimeoutMs ?? LISTEN_DEFAULTS.handoffTimeoutMs, 1);
  const port = options.port === undefined ? undefined : parsePort(options.port);
  const host = options.host ?? LISTEN_DEFAULTS.host;
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new DrainOptionsError('host', host, 'a host name or IP address');
  const backlog = options.backlog === undefined ? undefined : positiveInteger('backlog', options.backlog, 1);

  if (env.SVC_LISTEN === 'ipc') {
    if (env.SVC_NOTIFY !== 'ipc' || typeof process.send !== 'function') {
      throw new DrainListenError(
        'EDRAIN_LISTEN_HANDOFF',
        'ipc',
        'SVC_LISTEN=ipc asks for a socket from the supervisor, but this process has no IPC channel to one (SVC_NOTIFY=ipc and process.send are needed). Start it with svc, or unset SVC_LISTEN.',
      );
    }
    const handle = await receiveHandle(handoffTimeoutMs);
    await bind(server, 'ipc', (done) => server.listen(handle, backlog, done));
    handedOver.add(server);
    return { source: 'ipc', address: server.address() };
  }

  const fd = systemdFd(env);
  if (fd !== undefined) {
    await bind(server, 'systemd', (done) => server.listen({ fd, backlog }, done));
    handedOver.add(server);
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
    return { source: 'systemd', address: server.address() };
  }

  if (port === undefined) {
    throw new DrainOptionsError('port', undefined, 'a port number: no socket was handed over by a supervisor (SVC_LISTEN) or systemd (LISTEN_FDS)');
  }
  await bind(server, 'port', (done) => server.listen({ port, host, backlog }, done));
  return { source: 'port', address: server.address() };
}

function parsePort(value: unknown): number {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new DrainOptionsError('port', value, 'an integer from 0 to 65535 (0 picks a free port)');
  }
  return port;
}

/** The fd systemd passed to this process, following sd_listen_fds(3); undefined when none was. */
function systemdFd(env: NodeJS.ProcessEnv): number | undefined {
  const pid = env.LISTEN_PID;
  if (pid === undefined || pid === '') return undefined;
  if (!/^\d+$/.test(pid)) throw new DrainEnvError('EDRAIN_LISTEN_FDS', 'LISTEN_PID', pid, 'a process id');
  // Variables meant for another process (inherited through a shell, say) are not ours to use.
  if (Number(pid) !== process.pid) return undefined;
  const count = env.LISTEN_FDS ?? '';
  if (!/^\d{1,4}$/.test(count) || Number(count) < 1) {
    throw new DrainEnvError('EDRAIN_LISTEN_FDS', 'LISTEN_FDS', count, 'the number of sockets passed, 1 or more');
  }
  return SD_LISTEN_FDS_START;
}

function receiveHandle(timeoutMs: number): Promise<NetServer> {
  return new Promise<NetServer>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      process.removeListener('message', onMessage);
      process.removeListener('disconnect', onDisconnect);
    };
    const onMessage = (message: unknown, handle: unknown): void => {
      if (!isSupervisorMessage(message, 'listen')) return;
      finish();
      if (handle instanceof NetServer) return resolve(handle);
      reject(
        new DrainListenError(
          'EDRAIN_LISTEN_HANDOFF',
          'ipc',
          `The supervisor's { svc: 'listen' } message carried ${handle === undefined ? 'no handle' : 'a handle that is not a server'}; it must be sent as subprocess.send(message, server).`,
        ),
      );
    };
    const onDisconnect = (): void => {
      finish();
      reject(new DrainListenError('EDRAIN_LISTEN_HANDOFF', 'ipc', 'The IPC channel to the supervisor closed before it handed over a listening socket.'));
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new DrainListenError(
          'EDRAIN_LISTEN_HANDOFF',
          'ipc',
          `No { svc: 'listen' } message from the supervisor within ${timeoutMs} ms. Call listen() early at startup, or raise handoffTimeoutMs.`,
        ),
      );
    }, timeoutMs);
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
  });
}

function bind(server: NetServer, source: ListenSource, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (cause: Error & { code?: string }): void => {
      reject(
        new DrainListenError('EDRAIN_LISTEN', source, `Could not listen (${source}): ${cause.code ?? cause.message}. ${hint(cause.code)}`, { cause }),
      );
    };
    server.once('error', onError);
    start(() => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

function hint(code: string | undefined): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'Another process holds the port: stop it or pick another port.';
    case 'EACCES':
      return 'Ports below 1024 need privileges: pick a higher port or let systemd/svc bind it.';
    case 'EBADF':
    case 'ENOTSOCK':
      return 'The inherited descriptor is not a listening socket: check the socket unit or the supervisor.';
    default:
      return 'See the cause for details.';
  }
}
