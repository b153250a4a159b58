import { acquireLockSync, type LockHandle, type LockRecord } from '@svc/lock';
import type { Config } from './config.js';

/** The lock that keeps one copy of the server per port on this host. */
export function lockName(port: number): string {
  return `example-server-${port}`;
}

/** The URL a person can open to see the server's health, from the address it binds. */
export function healthUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/health`;
}

/**
 * Whether a supervisor hands this process its listening socket, by the same variables as
 * @svc/drain's `listen()` (docs/packages/drain.md): then the port is known only once it listens.
 */
export function expectsHandoff(env: NodeJS.ProcessEnv): boolean {
  return env.SVC_LISTEN === 'ipc' || (env.LISTEN_PID !== undefined && env.LISTEN_PID === String(process.pid));
}

/** Started by the svc supervisor, which numbers the copies of a service in `SVC_INSTANCE`. */
export function underSvc(env: NodeJS.ProcessEnv): boolean {
  return env.SVC_INSTANCE !== undefined && /^\d+$/.test(env.SVC_INSTANCE);
}

/**
 * Takes the lock for `port` (`host` goes into the health URL of its record). When the server binds the port itself this runs before it listens,
 * so that a second copy learns who runs (and how to stop it) rather than failing on EADDRINUSE;
 * it is synchronous so that nothing yields to the event loop before `listen()` waits for a
 * socket. Returns null when the lock is off (`LOCK=0`) or the port is 0 (every copy gets its own).
 * Throws @svc/lock's `LockHeldError` (code ELOCKED) when another live process holds it.
 */
export function takeInstanceLock(config: Config, host: string, port: number): LockHandle | null {
  if (!config.lock || port === 0) return null;
  return acquireLockSync({
    name: lockName(port),
    metadata: { port, healthUrl: healthUrl(host, port), version: config.version },
  });
}

/** The message a person sees when starting a second copy by hand. */
export function alreadyRunningMessage(holder: LockRecord | null, port: number, fallback: string): string {
  if (holder === null) return `svc-example-server is already running on port ${port} (its lock record cannot be read): ${fallback}`;
  const { metadata } = holder;
  const holderPort = typeof metadata.port === 'number' ? metadata.port : port;
  const health = typeof metadata.healthUrl === 'string' ? metadata.healthUrl : healthUrl('127.0.0.1', holderPort);
  return (
    `svc-example-server is already running: pid ${holder.pid}, since ${printable(holder.startedAt)}, port ${holderPort}, ` +
    `stop it with \`kill -TERM ${holder.pid}\`, health ${printable(health)}`
  );
}

/** The record is a file on disk, not text this process wrote: keep control codes off the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  return text.slice(0, 300).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
