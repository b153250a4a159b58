import { isAbsolute, resolve as resolvePath } from 'node:path';
import { constants as osConstants } from 'node:os';
import { InvalidOptionsError } from './errors.js';
import { isObject, OptionChecker } from './option-checks.js';
import { DEFAULTS, LIMITS, ONESHOT_DEFAULTS, SERVICE_NAME, LOCK_KEY, LOCK_KEY_PREFIX, type ReadinessType, type LockBackend, type ServiceType } from './defaults.js';
import { checkOneshot } from './oneshot.js';
import type { Duration, Size } from './units.js';
import type { RestartPolicy } from './restart-policy.js';
import type { OrphanGuard } from './orphan-guard.js';

export { DEFAULTS, LIMITS, ONESHOT_DEFAULTS, SERVICE_NAME, LOCK_KEY_PREFIX, type ReadinessType, type LockBackend, type ServiceType } from './defaults.js';

/** An environment value as options take it; numbers and booleans are turned into strings. */
export type EnvValue = string | number | boolean;

export interface SupervisorOptions {
  /** Service name: letters, digits, `.`, `_`, `-`; used in file names and events. */
  name: string;
  /** `oneshot`: runs to completion; `start()` resolves once it exited 0 (`completed`). Default `simple`. */
  type?: ServiceType;
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, EnvValue>;
  /** A `.env` file read at each spawn; `env` wins over it, it wins over the inherited environment. */
  envFile?: string;
  /** Pass an environment on to the service (then `envFile`, then `env` on top): `baseEnv`, or this process's. */
  inheritEnv?: boolean;
  /**
   * The environment a service inherits: by default this process's own. A daemon that hosts
   * services for many callers passes each the environment of the call that defined it.
   */
  baseEnv?: Record<string, string>;
  /** Open a Node IPC channel to the child. `auto`: when the command is `node` or this Node binary. */
  ipc?: boolean | 'auto';
  /** Where logs, the event log and diagnostic reports go (created 0700). */
  logDir: string;
  /** Where the notify socket goes (created 0700). Defaults to `logDir`. */
  runDir?: string;
  instance?: number;
  readiness?: {
    type?: ReadinessType;
    url?: string;
    host?: string;
    port?: number;
    timeout?: Duration;
    interval?: Duration;
    /**
     * The service counts as started only once it has stayed up this long after its spawn (and
     * passed its check): an exit inside it is a failed start. Default 1 s for `none`, else 0.
     */
    startWindow?: Duration;
  };
  liveness?: {
    heartbeatTimeout?: Duration;
    http?: string;
    interval?: Duration;
    failureThreshold?: number;
    /** One HTTP probe's timeout. */
    timeout?: Duration;
    reportTimeout?: Duration;
  };
  restart?: {
    policy?: RestartPolicy;
    delay?: Duration;
    factor?: number;
    maxDelay?: Duration;
    jitter?: number;
    resetAfter?: Duration;
    neverRestartExitCodes?: number[];
    crashLoop?: { count?: number; window?: Duration };
  };
  stop?: { signal?: NodeJS.Signals; timeout?: Duration };
  limits?: { memory?: Size; cpu?: number; window?: Duration; sampleInterval?: Duration };
  logs?: { maxSize?: Size; maxFiles?: number; maxBuffer?: Size; stderrTailLines?: number };
  /**
   * One active instance across hosts: the service runs only while this supervisor holds a lease
   * on the server (`standby` meanwhile) and gets its fencing token as `SVC_FENCING_TOKEN`.
   * Needs `ioredis` or `pg` installed beside `@svc/lock`.
   */
  lock?: { backend: LockBackend; url: string; ttl?: Duration; key?: string };
  /** Kills the service's processes if this process dies without stopping them; shared by a daemon. */
  orphanGuard?: OrphanGuard | false;
  /** Monotonic clock in ms; injectable for tests of pure timing maths. */
  now?: () => number;
  /** Random source in [0, 1) for jitter. */
  random?: () => number;
}

export interface ResolvedSupervisorOptions {
  name: string;
  type: ServiceType;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  envFile: string | null;
  inheritEnv: boolean;
  baseEnv: Record<string, string> | null;
  ipc: boolean;
  logDir: string;
  runDir: string;
  instance: number;
  readiness: { type: ReadinessType; url: string | null; host: string; port: number | null; timeoutMs: number; intervalMs: number; startWindowMs: number };
  liveness: {
    heartbeatTimeoutMs: number;
    http: string | null;
    intervalMs: number;
    failureThreshold: number;
    timeoutMs: number;
    reportTimeoutMs: number;
  };
  restart: {
    policy: RestartPolicy;
    delayMs: number;
    factor: number;
    maxDelayMs: number;
    jitter: number;
    resetAfterMs: number;
    neverRestartExitCodes: number[];
    crashLoop: { count: number; windowMs: number };
  };
  stop: { signal: NodeJS.Signals; timeoutMs: number };
  limits: { memoryBytes: number; cpuPercent: number; windowMs: number; sampleIntervalMs: number };
  logs: { maxSizeBytes: number; maxFiles: number; maxBufferBytes: number; stderrTailLines: number };
  lock: { backend: LockBackend; url: string; ttlMs: number; key: string } | null;
  orphanGuard: OrphanGuard | false | null;
  now: () => number;
  random: () => number;
}

/** Every option a Supervisor takes: anything else is refused as a misspelling. */
export const SUPERVISOR_OPTION_KEYS = [
  'name', 'type', 'command', 'args', 'cwd', 'env', 'envFile', 'inheritEnv', 'baseEnv', 'ipc', 'logDir', 'runDir', 'instance',
  'readiness', 'liveness', 'restart', 'stop', 'limits', 'logs', 'lock', 'orphanGuard', 'now', 'random',
] as const;
const SECTION_KEYS = {
  readiness: ['type', 'url', 'host', 'port', 'timeout', 'interval', 'startWindow'],
  liveness: ['heartbeatTimeout', 'http', 'interval', 'failureThreshold', 'timeout', 'reportTimeout'],
  restart: ['policy', 'delay', 'factor', 'maxDelay', 'jitter', 'resetAfter', 'neverRestartExitCodes', 'crashLoop'],
  'restart.crashLoop': ['count', 'window'],
  stop: ['signal', 'timeout'],
  limits: ['memory', 'cpu', 'window', 'sampleInterval'],
  logs: ['maxSize', 'maxFiles', 'maxBuffer', 'stderrTailLines'],
  lock: ['backend', 'url', 'ttl', 'key'],
} as const;

/** `restart` keys a Service acts on and a Supervisor alone does not: it has no schedule of its own. */
const SERVICE_RESTART_KEYS = ['schedule', 'timeZone'];
const POLICIES: readonly RestartPolicy[] = ['on-failure', 'always', 'never'];
const READINESS: readonly ReadinessType[] = ['notify', 'http', 'tcp', 'none'];
const TYPES: readonly ServiceType[] = ['simple', 'oneshot'];
const BACKENDS: readonly LockBackend[] = ['redis', 'postgres'];
const BACKEND_URL: Record<LockBackend, RegExp> = { redis: /^rediss?:\/\/./, postgres: /^postgres(ql)?:\/\/./ };
const ENV_KEY = /^[^=\0]+$/;

export function monotonicNow(): number {
  return performance.now();
}

/** Normalises and validates once; throws InvalidOptionsError, listing every problem, before anything is spawned. */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  if (!isObject(options)) throw new InvalidOptionsError('options', options, 'an object');
  const c = new OptionChecker();
  const resolved = resolveWith(c, options);
  c.throwIfAny();
  return resolved;
}

/**
 * The resolution itself, recording problems in `c` rather than throwing, so that callers that
 * add rules of their own (a Service, a config file's validation) report everything at once.
 * `keys`: the top-level options accepted (a Service takes `instances` and `listen`, not `instance`).
 */
export function resolveWith(c: OptionChecker, o: Record<string, unknown>, keys: readonly string[] = SUPERVISOR_OPTION_KEYS): ResolvedSupervisorOptions {
  c.known('', o, keys);
  const name = typeof o.name === 'string' && SERVICE_NAME.test(o.name) ? o.name : (c.fail('name', o.name, '1-64 characters of letters, digits, ".", "_", "-", not starting with "." or "-"'), 'invalid');
  const command = typeof o.command === 'string' && o.command.length > 0 && !o.command.includes('\0') ? o.command : (c.fail('command', o.command, 'a non-empty string'), 'invalid');
  const args = o.args ?? DEFAULTS.args;
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string' && !arg.includes('\0'))) c.fail('args', args, 'an array of strings');
  const env = resolveEnv(c, 'env', o.env ?? {}, true);
  const baseEnv = o.baseEnv === undefined ? null : resolveEnv(c, 'baseEnv', o.baseEnv, false);
  if (typeof o.logDir !== 'string' || o.logDir.length === 0) c.fail('logDir', o.logDir, 'a directory path');
  const cwd = typeof o.cwd === 'string' || o.cwd === undefined ? resolvePath(o.cwd ?? process.cwd()) : (c.fail('cwd', o.cwd, 'a directory path'), process.cwd());
  if (o.envFile !== undefined && (typeof o.envFile !== 'string' || o.envFile.length === 0)) c.fail('envFile', o.envFile, 'a file path');
  const ipcOption = o.ipc ?? DEFAULTS.ipc;
  if (ipcOption !== 'auto' && typeof ipcOption !== 'boolean') c.fail('ipc', ipcOption, 'true, false or "auto"');
  const logDir = resolvePath(typeof o.logDir === 'string' ? o.logDir : '.');
  const runDir = o.runDir === undefined ? logDir : typeof o.runDir === 'string' ? resolvePath(o.runDir) : (c.fail('runDir', o.runDir, 'a directory path'), logDir);

  const serviceType = c.oneOf('type', o.type, DEFAULTS.type, TYPES);
  const oneshot = serviceType === 'oneshot';
  const readiness = sectionOf(c, 'readiness', o.readiness);
  const type = c.oneOf('readiness.type', readiness.type, DEFAULTS.readiness.type, READINESS);
  const readinessUrl = type === 'http' ? c.httpUrl('readiness.url', readiness.url) : null;
  if (type !== 'http' && readiness.url !== undefined) c.httpUrl('readiness.url', readiness.url);
  let readinessPort: number | null = null;
  if (type === 'tcp') {
    if (readiness.port === undefined) c.fail('readiness.port', undefined, 'a port 1-65535: readiness type "tcp" needs one');
    else readinessPort = c.int('readiness.port', readiness.port, 0, 1, 65_535);
  }
  const readinessHost = readiness.host ?? '127.0.0.1';
  if (typeof readinessHost !== 'string' || readinessHost === '') c.fail('readiness.host', readinessHost, 'a host name or IP address');

  const liveness = sectionOf(c, 'liveness', o.liveness);
  // A Service (whose keys have `instances`) also takes restart.schedule and restart.timeZone (service-options.ts).
  const restart = sectionOf(c, 'restart', o.restart, keys.includes('instances') ? SERVICE_RESTART_KEYS : []);
  const crashLoop = sectionOf(c, 'restart.crashLoop', restart.crashLoop);
  const neverCodes = restart.neverRestartExitCodes ?? DEFAULTS.restart.neverRestartExitCodes;
  if (!Array.isArray(neverCodes) || neverCodes.length > 256 || !neverCodes.every((code) => Number.isInteger(code) && code >= 0 && code <= 255)) {
    c.fail('restart.neverRestartExitCodes', neverCodes, 'an array of exit codes 0-255');
  }
  const stop = sectionOf(c, 'stop', o.stop);
  const signal = stop.signal ?? DEFAULTS.stop.signal;
  if (typeof signal !== 'string' || !(signal in osConstants.signals)) c.fail('stop.signal', signal, 'a signal name such as "SIGTERM"');
  const limits = sectionOf(c, 'limits', o.limits);
  const logs = sectionOf(c, 'logs', o.logs);
  const L = LIMITS;

  const resolved: ResolvedSupervisorOptions = {
    name,
    type: serviceType,
    command,
    args: Array.isArray(args) ? [...(args as string[])] : [],
    cwd,
    env,
    envFile: typeof o.envFile !== 'string' || o.envFile === '' ? null : isAbsolute(o.envFile) ? o.envFile : resolvePath(cwd, o.envFile),
    inheritEnv: c.bool('inheritEnv', o.inheritEnv, DEFAULTS.inheritEnv),
    baseEnv,
    ipc: ipcOption === 'auto' ? isNodeCommand(command) : ipcOption === true,
    logDir,
    runDir,
    instance: c.int('instance', o.instance, 0, 0, L.instance.max),
    readiness: {
      type,
      url: readinessUrl,
      host: typeof readinessHost === 'string' ? readinessHost : '127.0.0.1',
      port: readinessPort,
      timeoutMs: oneshot && readiness.timeout === undefined ? ONESHOT_DEFAULTS.readiness.timeoutMs : c.duration('readiness.timeout', readiness.timeout, DEFAULTS.readiness.timeoutMs, L.readiness.timeout),
      intervalMs: c.duration('readiness.interval', readiness.interval, DEFAULTS.readiness.intervalMs, L.readiness.interval),
      startWindowMs: c.duration('readiness.startWindow', readiness.startWindow, oneshot ? ONESHOT_DEFAULTS.readiness.startWindowMs : type === 'none' ? DEFAULTS.readiness.startWindowMs : 0),
    },
    liveness: {
      heartbeatTimeoutMs: c.duration('liveness.heartbeatTimeout', liveness.heartbeatTimeout, DEFAULTS.liveness.heartbeatTimeoutMs, L.liveness.heartbeatTimeout),
      http: liveness.http === undefined ? null : c.httpUrl('liveness.http', liveness.http),
      intervalMs: c.duration('liveness.interval', liveness.interval, DEFAULTS.liveness.intervalMs, L.liveness.interval),
      failureThreshold: c.int('liveness.failureThreshold', liveness.failureThreshold, DEFAULTS.liveness.failureThreshold, 1, L.liveness.failureThreshold.max),
      timeoutMs: c.duration('liveness.timeout', liveness.timeout, DEFAULTS.liveness.timeoutMs, L.liveness.timeout),
      reportTimeoutMs: c.duration('liveness.reportTimeout', liveness.reportTimeout, DEFAULTS.liveness.reportTimeoutMs),
    },
    restart: {
      policy: c.oneOf('restart.policy', restart.policy, oneshot ? ONESHOT_DEFAULTS.restart.policy : DEFAULTS.restart.policy, POLICIES),
      delayMs: c.duration('restart.delay', restart.delay, DEFAULTS.restart.delayMs),
      factor: c.num('restart.factor', restart.factor, DEFAULTS.restart.factor, L.restart.factor.min, L.restart.factor.max),
      maxDelayMs: c.duration('restart.maxDelay', restart.maxDelay, DEFAULTS.restart.maxDelayMs),
      jitter: c.num('restart.jitter', restart.jitter, DEFAULTS.restart.jitter, 0, 1),
      resetAfterMs: c.duration('restart.resetAfter', restart.resetAfter, DEFAULTS.restart.resetAfterMs),
      neverRestartExitCodes: Array.isArray(neverCodes) ? [...(neverCodes as number[])] : [],
      crashLoop: {
        count: c.int('restart.crashLoop.count', crashLoop.count, DEFAULTS.restart.crashLoop.count, 1, L.restart.crashLoopCount.max),
        windowMs: c.duration('restart.crashLoop.window', crashLoop.window, DEFAULTS.restart.crashLoop.windowMs, L.restart.crashLoopWindow),
      },
    },
    stop: { signal: signal as NodeJS.Signals, timeoutMs: c.duration('stop.timeout', stop.timeout, DEFAULTS.stop.timeoutMs) },
    limits: {
      memoryBytes: c.size('limits.memory', limits.memory, DEFAULTS.limits.memoryBytes),
      cpuPercent: c.num('limits.cpu', limits.cpu, DEFAULTS.limits.cpuPercent, 0, L.limits.cpu.max),
      windowMs: c.duration('limits.window', limits.window, DEFAULTS.limits.windowMs),
      sampleIntervalMs: c.duration('limits.sampleInterval', limits.sampleInterval, DEFAULTS.limits.sampleIntervalMs, L.limits.sampleInterval),
    },
    logs: {
      maxSizeBytes: c.size('logs.maxSize', logs.maxSize, DEFAULTS.logs.maxSizeBytes, L.logs.maxSize),
      maxFiles: c.int('logs.maxFiles', logs.maxFiles, DEFAULTS.logs.maxFiles, 1, L.logs.maxFiles.max),
      maxBufferBytes: c.size('logs.maxBuffer', logs.maxBuffer, DEFAULTS.logs.maxBufferBytes, L.logs.maxBuffer),
      stderrTailLines: c.int('logs.stderrTailLines', logs.stderrTailLines, DEFAULTS.logs.stderrTailLines, 0, L.logs.stderrTailLines.max),
    },
    lock: resolveLock(c, o.lock, name),
    orphanGuard: resolveGuard(c, o.orphanGuard),
    now: resolveFunction(c, 'now', o.now, monotonicNow),
    random: resolveFunction(c, 'random', o.random, Math.random),
  };
  if (oneshot) checkOneshot(c, o, resolved);
  if (!oneshot && type !== 'none' && resolved.readiness.startWindowMs >= resolved.readiness.timeoutMs) {
    c.fail('readiness.startWindow', readiness.startWindow, `a duration < readiness.timeout (${resolved.readiness.timeoutMs} ms): a start that must outlast its timeout never succeeds`);
  }
  if (resolved.restart.maxDelayMs < resolved.restart.delayMs) {
    c.fail('restart.maxDelay', restart.maxDelay ?? resolved.restart.maxDelayMs, `a duration >= restart.delay (${resolved.restart.delayMs} ms)`);
  }
  return resolved;
}

function sectionOf(c: OptionChecker, option: keyof typeof SECTION_KEYS, value: unknown, more: readonly string[] = []): Record<string, unknown> {
  const section = c.section(option, value);
  c.known(option, section, [...SECTION_KEYS[option], ...more]);
  return section;
}

function resolveEnv(c: OptionChecker, option: string, value: unknown, coerce: boolean): Record<string, string> {
  if (!isObject(value)) {
    c.fail(option, value, 'an object of variables');
    return {};
  }
  const env: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    const scalar = typeof item === 'string' || (coerce && (typeof item === 'number' || typeof item === 'boolean'));
    if (!ENV_KEY.test(key)) c.fail(`${option}.${key}`, key, 'a variable name without "=" or NUL');
    else if (!scalar || String(item).includes('\0')) c.fail(`${option}.${key}`, item, coerce ? 'a string, number or boolean without NUL' : 'a string without NUL');
    else env[key] = String(item);
  }
  return env;
}

function resolveLock(c: OptionChecker, value: unknown, name: string): ResolvedSupervisorOptions['lock'] {
  if (value === undefined) return null;
  const lock = sectionOf(c, 'lock', value);
  if (!isObject(value)) return null;
  const known = BACKENDS.includes(lock.backend as LockBackend);
  const backend = c.oneOf('lock.backend', lock.backend ?? '', 'redis', BACKENDS);
  const url = lock.url;
  // Which URL is right depends on the backend: with an unknown one, only its own problem is said.
  if (known && (typeof url !== 'string' || !BACKEND_URL[backend].test(url))) {
    c.fail('lock.url', url, backend === 'redis' ? 'a redis:// or rediss:// URL' : 'a postgres:// or postgresql:// URL');
  }
  const ttlMs = c.duration('lock.ttl', lock.ttl, DEFAULTS.lock.ttlMs, LIMITS.lock.ttl);
  const key = lock.key ?? `${LOCK_KEY_PREFIX}${name}`;
  if (typeof key !== 'string' || !LOCK_KEY.test(key)) {
    c.fail('lock.key', key, '1-200 characters of letters, digits, ".", "_", ":", "-", starting with a letter or digit');
  }
  return { backend, url: String(url), ttlMs, key: typeof key === 'string' ? key : '' };
}

function resolveGuard(c: OptionChecker, value: unknown): OrphanGuard | false | null {
  if (value === undefined || value === false) return value === false ? false : null;
  if (isObject(value) && typeof value.addGroup === 'function') return value as unknown as OrphanGuard;
  c.fail('orphanGuard', value, 'an orphan guard (createOrphanGuard()) or false');
  return null;
}

function resolveFunction<T extends (...args: never[]) => unknown>(c: OptionChecker, option: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'function') return value as T;
  c.fail(option, value, 'a function');
  return fallback;
}

function isNodeCommand(command: string): boolean {
  if (command === process.execPath) return true;
  const base = command.split(/[\\/]/).pop() ?? command;
  return base === 'node' || base === 'node.exe';
}
