import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDrain, isDrainError, listen } from '@svc/drain';
import { createHealth, eventLoopDelayCheck } from '@svc/health';
import { isLockError, type LockHandle, type LockHeldError } from '@svc/lock';
import { readConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { drainLogger, logError, logInfo } from './log.js';
import { appRoutes, createRequestListener, routePattern } from './routes.js';
import { alreadyRunningMessage, expectsHandoff, takeInstanceLock, underSvc } from './single-instance.js';
import { testRoutes } from './test-routes.js';

/** Exit code of a server that could not start: bad environment, already running, cannot listen. */
const START_FAILED = 1;

/**
 * Starts the server: config → lock → health + drain → listen → ready (with a handed-over socket,
 * the lock comes after listen, once its port is known). Everything up to `listen()` is
 * synchronous, so a supervisor's `{ svc: 'listen' }` socket cannot arrive before someone waits for it.
 * Resolves once it serves; the process then lives until @svc/drain ends it.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(`svc-example-server: ${error.code}: ${error.message}`);
    throw error;
  }
  const handedOver = expectsHandoff(env);
  let lock = handedOver ? null : lockOrExit(config, config.host, config.port);

  const health = createHealth();
  // Not critical: a late event loop on a busy host is worth a `warn`, not a restart by a load balancer.
  health.addCheck('eventLoop', eventLoopDelayCheck(), { critical: false });

  const routes = appRoutes(config);
  if (config.testRoutes) for (const [path, methods] of testRoutes(config)) routes.set(path, methods);
  const server = createServer({ keepAliveTimeout: 5_000 }, createRequestListener(routes, health.handler));
  // Request metrics on /metrics, counted from the first connection: instrument before listen().
  health.instrument(server, { route: routePattern(routes) });

  const drain = createDrain({ servers: [server], health, logger: drainLogger });

  let address: AddressInfo | string | null;
  let source: string;
  try {
    ({ address, source } = await listen(server, { port: config.port, host: config.host }));
  } catch (error) {
    if (isDrainError(error)) return fail(`svc-example-server: ${error.code}: ${error.message}`);
    throw error;
  }
  // A handed-over socket's port is known only now; a second copy on it stops here, before ready —
  // except under svc, whose copies share the socket on purpose (instances, reload) and whose
  // per-service lock already keeps the service single.
  if (handedOver && !underSvc(env) && typeof address === 'object' && address !== null) lock = lockOrExit(config, address.address, address.port);
  if (lock !== null) {
    const held = lock;
    drain.onShutdown('lock', () => held.release());
  }

  try {
    await health.ready();
  } catch (error) {
    // The server serves regardless; a supervisor that missed READY=1 restarts it at its readiness timeout.
    logError(`svc-example-server: could not tell the supervisor it is ready: ${error instanceof Error ? error.message : String(error)}`);
  }
  logInfo(
    `svc-example-server listening on ${describe(address)} (pid ${process.pid}, socket from ${source}, version ${config.version}` +
      `${config.testRoutes ? ', test routes on' : ''}${lock === null ? ', no lock' : ''})`,
  );
}

/** The lock for `port`, null when off; a lock held by another copy ends this one with the friendly message. */
function lockOrExit(config: Config, host: string, port: number): LockHandle | null {
  try {
    return takeInstanceLock(config, host, port);
  } catch (error) {
    // ELOCKED is always a LockHeldError, which carries the holder's record.
    if (isLockError(error) && error.code === 'ELOCKED') return fail(alreadyRunningMessage((error as LockHeldError).holder, port, error.message));
    if (isLockError(error)) return fail(`svc-example-server: ${error.code}: ${error.message}`);
    throw error;
  }
}

function describe(address: AddressInfo | string | null): string {
  if (address === null) return 'an unknown address';
  if (typeof address === 'string') return address;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

function fail(message: string): never {
  logError(message);
  // process.exit, not exitCode: the lock's exit handler and drain's signal listeners must not keep
  // a server that failed to start alive. @svc/lock releases what it took on exit.
  process.exit(START_FAILED);
}
