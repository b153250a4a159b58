import { Registry } from 'prom-client';
import { InvalidOptionError } from './errors.js';

export type EndpointName = 'health' | 'detailed' | 'ready' | 'alive' | 'startup' | 'metrics';
export const ENDPOINT_NAMES: readonly EndpointName[] = ['health', 'detailed', 'ready', 'alive', 'startup', 'metrics'];

/** Where each endpoint is served; `false` turns one off (it then answers nothing, as any other path). */
export type HealthPaths = Record<EndpointName, string | false>;

export type NotifyMode = 'auto' | 'ipc' | 'socket' | 'systemd' | 'none';
export const NOTIFY_MODES: readonly NotifyMode[] = ['auto', 'ipc', 'socket', 'systemd', 'none'];

export interface HealthLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface HealthOptions {
  /** Paths of the endpoints; each may be `false` to turn it off. */
  paths?: Partial<HealthPaths>;
  /** How long a check's result is reused before the check runs again. */
  cacheMs?: number;
  /** Timeout of a check that does not set its own `timeoutMs`. */
  checkTimeoutMs?: number;
  /** `/health/detailed`: `false` (404), `{ token }` (Bearer token required) or `true` (open: shows check messages). */
  detailed?: boolean | { token: string };
  /** How to reach the supervisor; `auto` picks from the environment (see docs/protocol.md). */
  notify?: NotifyMode;
  /** Heartbeat period; `null` takes half of `SVC_WATCHDOG_MS` / `WATCHDOG_USEC`, and no heartbeat when neither is set. */
  heartbeatIntervalMs?: number | null;
  /** Register prom-client's default process metrics in this handle's registry. */
  defaultMetrics?: boolean;
  /** Prefix of the metrics this package defines (not of the default process metrics). */
  metricsPrefix?: string;
  /** The prom-client registry to register into; default: a new Registry of this handle's own. */
  registry?: Registry;
  /** The command that talks to systemd's notify socket. */
  systemdNotifyCommand?: string;
  /** Environment to read the supervisor variables from. */
  env?: NodeJS.ProcessEnv;
  /** Clock for the result cache, in ms (monotonic). */
  now?: () => number;
  /** Where notify failures are reported (they never throw from a timer). */
  logger?: HealthLogger;
}

export interface ResolvedHealthOptions {
  paths: HealthPaths;
  cacheMs: number;
  checkTimeoutMs: number;
  detailed: false | true | { token: string };
  notify: NotifyMode;
  heartbeatIntervalMs: number | null;
  defaultMetrics: boolean;
  metricsPrefix: string;
  registry: Registry;
  systemdNotifyCommand: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  logger: HealthLogger;
}

/** Every documented default; the docs page's `## Options` table is checked against this object. */
export const DEFAULTS = {
  paths: {
    health: '/health',
    detailed: '/health/detailed',
    ready: '/ready',
    alive: '/alive',
    startup: '/startup',
    metrics: '/metrics',
  } satisfies HealthPaths,
  cacheMs: 1000,
  checkTimeoutMs: 2000,
  detailed: false,
  notify: 'auto' as NotifyMode,
  heartbeatIntervalMs: null as number | null,
  defaultMetrics: true,
  metricsPrefix: 'svc_health_',
  systemdNotifyCommand: 'systemd-notify',
} as const;

/** A Bearer token shorter than this is guessable by a probe storm. */
export const MIN_TOKEN_LENGTH = 16;

const KNOWN_OPTIONS = new Set([...Object.keys(DEFAULTS), 'registry', 'env', 'now', 'logger']);
const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/]*$/;
const PREFIX_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const processWarningLogger: HealthLogger = {
  warn(message, fields) {
    const code = typeof fields?.code === 'string' ? fields.code : undefined;
    process.emitWarning(message, { code });
  },
};

export function resolveHealthOptions(input: HealthOptions = {}): ResolvedHealthOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidOptionError('options', input, 'an object');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidOptionError(key, 'set', `one of ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  return {
    paths: resolvePaths(input.paths),
    cacheMs: duration('cacheMs', input.cacheMs ?? DEFAULTS.cacheMs, 0),
    checkTimeoutMs: duration('checkTimeoutMs', input.checkTimeoutMs ?? DEFAULTS.checkTimeoutMs, 1),
    detailed: resolveDetailed(input.detailed ?? DEFAULTS.detailed),
    notify: oneOf('notify', input.notify ?? DEFAULTS.notify, NOTIFY_MODES),
    heartbeatIntervalMs:
      input.heartbeatIntervalMs === undefined || input.heartbeatIntervalMs === null
        ? DEFAULTS.heartbeatIntervalMs
        : duration('heartbeatIntervalMs', input.heartbeatIntervalMs, 10),
    defaultMetrics: bool('defaultMetrics', input.defaultMetrics ?? DEFAULTS.defaultMetrics),
    metricsPrefix: matching('metricsPrefix', input.metricsPrefix ?? DEFAULTS.metricsPrefix, PREFIX_PATTERN, 'a Prometheus name prefix such as "app_health_"', true),
    registry: resolveRegistry(input.registry),
    systemdNotifyCommand: matching('systemdNotifyCommand', input.systemdNotifyCommand ?? DEFAULTS.systemdNotifyCommand, /^\S+$/, 'a command name or path'),
    env: input.env ?? process.env,
    now: fn('now', input.now) ?? (() => performance.now()),
    logger: resolveLogger(input.logger),
  };
}

/** Validates a duration in ms: a finite integer ≥ min. Exported for addCheck's `timeoutMs`. */
export function duration(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new InvalidOptionError(option, value, `an integer number of milliseconds ≥ ${min}`);
  }
  return value;
}

function resolvePaths(input: Partial<HealthPaths> | undefined): HealthPaths {
  if (input === undefined) return { ...DEFAULTS.paths };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidOptionError('paths', input, 'an object');
  const paths: HealthPaths = { ...DEFAULTS.paths };
  for (const [key, value] of Object.entries(input)) {
    if (!(ENDPOINT_NAMES as readonly string[]).includes(key)) {
      throw new InvalidOptionError(`paths.${key}`, 'set', `one of ${ENDPOINT_NAMES.map((n) => `paths.${n}`).join(', ')}`);
    }
    if (value === undefined) continue;
    if (value !== false && (typeof value !== 'string' || !PATH_PATTERN.test(value) || value.length > 256)) {
      throw new InvalidOptionError(`paths.${key}`, value, 'false or an absolute path such as "/healthz" (letters, digits, . _ ~ - /)');
    }
    paths[key as EndpointName] = value;
  }
  const seen = new Map<string, string>();
  for (const name of ENDPOINT_NAMES) {
    const path = paths[name];
    if (path === false) continue;
    const other = seen.get(path);
    if (other !== undefined) throw new InvalidOptionError(`paths.${name}`, path, `a path not already used by paths.${other}`);
    seen.set(path, name);
  }
  return paths;
}

function resolveDetailed(value: unknown): ResolvedHealthOptions['detailed'] {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const token = (value as { token?: unknown }).token;
    // The token's value never goes into an error message: it is a secret.
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      const shown = typeof token === 'string' ? `a string of ${token.length} characters` : token;
      throw new InvalidOptionError('detailed.token', shown, `a string of at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    }
    return { token };
  }
  throw new InvalidOptionError('detailed', value, 'true, false or { token: string }');
}

function resolveRegistry(value: unknown): Registry {
  if (value === undefined) return new Registry();
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as Registry).metrics !== 'function' ||
    typeof (value as Registry).registerMetric !== 'function'
  ) {
    throw new InvalidOptionError('registry', value, 'a prom-client Registry');
  }
  return value as Registry;
}

function resolveLogger(value: unknown): HealthLogger {
  if (value === undefined) return processWarningLogger;
  if (typeof value !== 'object' || value === null || typeof (value as HealthLogger).warn !== 'function') {
    throw new InvalidOptionError('logger', value, 'an object with a warn(message, fields) method');
  }
  return value as HealthLogger;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidOptionError(option, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

function bool(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, value, 'true or false');
  return value;
}

function matching(option: string, value: unknown, pattern: RegExp, expected: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (value === '' ? !allowEmpty : !pattern.test(value))) {
    throw new InvalidOptionError(option, value, expected);
  }
  return value;
}

function fn<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidOptionError(option, value, 'a function');
  return value;
}
