import { Server as NetServer } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DEFAULTS } from './defaults.js';
import { DrainOptionsError } from './errors.js';
import { resolveLogger, type DrainLogger } from './logger.js';
import { isCatchableSignal } from './signals.js';

/** What drain needs of a health handle (the one `@svc/health`'s `createHealth()` returns fits). */
export interface HealthLike {
  setState(state: 'draining' | 'stopped'): void;
}

/** Called for each upgraded socket (WebSocket, …) once the listener has closed, to end it politely. */
export type CloseUpgraded = (socket: Duplex, request: IncomingMessage) => void | Promise<void>;

export interface DrainOptions {
  /** Servers to drain: `http`, `https`, `http2` (plain or secure) or plain `net` servers. */
  servers?: readonly NetServer[];
  health?: HealthLike;
  timeoutMs?: number;
  readinessDelayMs?: number;
  refuseNew?: boolean;
  retryAfterSeconds?: number;
  hookTimeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  ipc?: boolean;
  stopMarginMs?: number;
  hooksShare?: number;
  closeUpgraded?: CloseUpgraded;
  env?: NodeJS.ProcessEnv;
  /** Ends the process with the drain's exit code; `false` leaves the process to the caller. */
  exit?: ((code: number) => void) | false;
  logger?: Partial<DrainLogger>;
  now?: () => number;
}

export interface ResolvedDrainOptions {
  servers: readonly NetServer[];
  health: HealthLike | undefined;
  timeoutMs: number;
  readinessDelayMs: number;
  refuseNew: boolean;
  retryAfterSeconds: number;
  hookTimeoutMs: number;
  signals: readonly NodeJS.Signals[];
  ipc: boolean;
  stopMarginMs: number;
  hooksShare: number;
  closeUpgraded: CloseUpgraded | undefined;
  env: NodeJS.ProcessEnv;
  exit: ((code: number) => void) | false;
  logger: DrainLogger;
  now: () => number;
}

/** Every option `createDrain()` accepts; the docs page's options table is checked against it. */
export const OPTION_NAMES = [
  'servers',
  'health',
  'timeoutMs',
  'readinessDelayMs',
  'refuseNew',
  'retryAfterSeconds',
  'hookTimeoutMs',
  'signals',
  'ipc',
  'stopMarginMs',
  'hooksShare',
  'closeUpgraded',
  'env',
  'exit',
  'logger',
  'now',
] as const satisfies ReadonlyArray<keyof DrainOptions>;

export function resolveDrainOptions(options: DrainOptions | undefined): ResolvedDrainOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DrainOptionsError('options', options, 'an object');
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new DrainOptionsError(key, (options as Record<string, unknown>)[key], `no such option (known: ${OPTION_NAMES.join(', ')})`);
    }
  }

  const servers = options.servers ?? [];
  if (!Array.isArray(servers)) throw new DrainOptionsError('servers', servers, 'an array of net/http/https/http2 servers');
  servers.forEach((server: unknown, index) => {
    if (!(server instanceof NetServer)) {
      throw new DrainOptionsError(`servers[${index}]`, server, 'a net/http/https/http2 server (for Express, the value app.listen() returns; for Fastify, app.server)');
    }
    if (servers.indexOf(server) !== index) throw new DrainOptionsError(`servers[${index}]`, '(a server)', 'each server listed once');
  });

  const health = options.health;
  if (health !== undefined && (typeof health !== 'object' || health === null || typeof health.setState !== 'function')) {
    throw new DrainOptionsError('health', health, 'an object with a setState(state) method, such as createHealth() from @svc/health');
  }

  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 1);
  const readinessDelayMs = positiveInteger('readinessDelayMs', options.readinessDelayMs ?? DEFAULTS.readinessDelayMs, 0);
  if (readinessDelayMs >= timeoutMs) {
    throw new DrainOptionsError('readinessDelayMs', readinessDelayMs, `less than timeoutMs (${timeoutMs}), which includes the readiness delay`);
  }
  const refuseNew = options.refuseNew ?? DEFAULTS.refuseNew;
  if (typeof refuseNew !== 'boolean') throw new DrainOptionsError('refuseNew', refuseNew, 'true or false');
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds;
  if (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0 || retryAfterSeconds > 86_400) {
    throw new DrainOptionsError('retryAfterSeconds', retryAfterSeconds, 'an integer number of seconds from 0 to 86400');
  }
  const hookTimeoutMs = positiveInteger('hookTimeoutMs', options.hookTimeoutMs ?? DEFAULTS.hookTimeoutMs, 1);
  const stopMarginMs = positiveInteger('stopMarginMs', options.stopMarginMs ?? DEFAULTS.stopMarginMs, 0);

  const hooksShare = options.hooksShare ?? DEFAULTS.hooksShare;
  if (typeof hooksShare !== 'number' || !(hooksShare > 0 && hooksShare < 1)) {
    throw new DrainOptionsError('hooksShare', hooksShare, 'a number between 0 and 1 (exclusive)');
  }

  const signals = options.signals ?? DEFAULTS.signals;
  if (!Array.isArray(signals)) throw new DrainOptionsError('signals', signals, 'an array of signal names such as ["SIGTERM", "SIGINT"]');
  signals.forEach((signal: unknown, index) => {
    if (!isCatchableSignal(signal)) {
      throw new DrainOptionsError(`signals[${index}]`, signal, 'a signal name that can be caught (not SIGKILL or SIGSTOP), such as "SIGTERM"');
    }
  });
  if (new Set(signals).size !== signals.length) throw new DrainOptionsError('signals', signals, 'each signal listed once');

  const ipc = options.ipc ?? DEFAULTS.ipc;
  if (typeof ipc !== 'boolean') throw new DrainOptionsError('ipc', ipc, 'true or false');

  const closeUpgraded = options.closeUpgraded;
  if (closeUpgraded !== undefined && typeof closeUpgraded !== 'function') {
    throw new DrainOptionsError('closeUpgraded', closeUpgraded, 'a function (socket, request) => void | Promise<void>');
  }

  const env = options.env ?? process.env;
  if (typeof env !== 'object' || env === null) throw new DrainOptionsError('env', env, 'an object of environment variables');

  const exit = options.exit ?? ((code: number) => process.exit(code));
  if (exit !== false && typeof exit !== 'function') throw new DrainOptionsError('exit', exit, 'a function (code) => void, or false');

  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    throw new DrainOptionsError('logger', logger, 'an object with info/warn/error methods');
  }
  for (const level of ['info', 'warn', 'error'] as const) {
    const method: unknown = logger?.[level];
    if (method !== undefined && typeof method !== 'function') throw new DrainOptionsError(`logger.${level}`, method, 'a function');
  }

  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new DrainOptionsError('now', now, 'a function returning milliseconds');

  return {
    servers,
    health,
    timeoutMs,
    readinessDelayMs,
    refuseNew,
    retryAfterSeconds,
    hookTimeoutMs,
    signals,
    ipc,
    stopMarginMs,
    hooksShare,
    closeUpgraded,
    env,
    exit,
    logger: resolveLogger(logger),
    now,
  };
}

/** Integer milliseconds no smaller than `min` and small enough for setTimeout (2^31 - 1). */
export function positiveInteger(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    throw new DrainOptionsError(option, value, `an integer number of milliseconds from ${min} to 2147483647`);
  }
  return value;
}
