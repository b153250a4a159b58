import { connectDaemon, daemonPaths, withDaemon, type DaemonClientOptions, type DaemonConnection, type DaemonPaths } from '@svc/supervisor/client';
import { clientOptions } from './client-options.js';

/*
 * The CLI's use of the daemon client (`@svc/supervisor/client`): every command talks to the one
 * per-user daemon, found and started by the package; this only fixes the options the CLI uses.
 */

/**
 * How long a control call may take end to end. The daemon bounds each step itself (readiness
 * timeout, stop timeout, backoff); this only keeps a wedged daemon from hanging the CLI for ever.
 */
export const CONTROL_TIMEOUT_MS = 10 * 60_000;

export { clientOptions } from './client-options.js';

export function paths(): DaemonPaths {
  return daemonPaths(process.env);
}

/** The running daemon, or null; throws EDAEMON_VERSION for a daemon of another version. */
export function connect(extra: Partial<DaemonClientOptions> = {}): Promise<DaemonConnection | null> {
  return connectDaemon(clientOptions(extra));
}

/** Runs `work` on the daemon, starting it first when none runs (and once more if it was exiting). */
export function onDaemon<T>(work: (connection: DaemonConnection) => Promise<T>): Promise<T> {
  return withDaemon(clientOptions(), work);
}

/** The environment this call passes on to the services it defines (strings only). */
export function callerEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
