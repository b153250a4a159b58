import { isAbsolute, resolve as resolvePath } from 'node:path';
import { constants as osConstants } from 'node:os';
import { InvalidOptionsError } from './errors.js';
import { parseDuration, parseSize, type Duration, type Size } from './units.js';
import type { RestartPolicy } from './restart-policy.js';
import type { OrphanGuard } from './orphan-guard.js';

export type ReadinessType = 'notify' | 'http' | 'tcp' | 'none';

/**
 * Every default the Supervisor uses. The docs page's options table is checked against this
 * object by a test, so what the docs say is what the code does.
 */
export const DEFAULTS = {
  args: [] as string[],
  inheritEnv: true,
  ipc: 'auto' as boolean | 'auto',
  readiness: { type: 'none' as ReadinessType, timeoutMs: 30_000, intervalMs: 100 },
  liveness: { heartbeatTimeoutMs: 0, intervalMs: 10_000, failureThreshold: 3, probeTimeoutMs: 5_000, reportTimeoutMs: 2_000 },
  restart: {
    policy: 'on-failure' as RestartPolicy,
    delayMs: 1_000,
    factor: 2,
    maxDelayMs: 30_000,
    jitter: 0.1,
    resetAfterMs: 60_000,
    neverRestartExitCodes: [] as number[],
    crashLoop: { count: 5, windowMs: 60_000 },
  },
  stop: { signal: 'SIGTERM' as NodeJS.Signals, timeoutMs: 10_000 },
  limits: { memoryBytes: 0, cpuPercent: 0, windowMs: 10_000, sampleIntervalMs: 2_000 },
  logs: { maxSizeBytes: 10 * 1024 * 1024, maxFiles: 5, maxBufferBytes: 1024 * 1024, stderrTailLines: 50 },
  lock: { ttlMs: 10_000 },
} as const;

export type LockBackend = 'redis' | 'postgres';
const BACKENDS: readonly LockBackend[] = ['redis', 'postgres'];
const BACKEND_URL: Record<LockBackend, RegExp> = { redis: /^rediss?:\/\/./, postgres: /^postgres(ql)?:\/\/./ };
/** The lease's name when `lock.key` is not given: `svc-service-<name>`, like the daemon's per-host lock. */
export const LOCK_KEY_PREFIX = 'svc-service-';
/** @svc/lock's shortest lease. */
const MIN_LOCK_TTL_MS = 100;

export interface SupervisorOptions {
  /** Service name: letters, digits, `.`, `_`, `-`; used in file names and events. */
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** A `.env` file read at each spawn; `env` wins over it, it wins over the supervisor's own environment. */
  envFile?: string;
  /** Pass the supervisor's own environment to the service (then `envFile`, then `env` on top). */
  inheritEnv?: boolean;
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
  };
  liveness?: {
    heartbeatTimeout?: Duration;
    http?: string;
    interval?: Duration;
    failureThreshold?: number;
    probeTimeout?: Duration;
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
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  envFile: string | null;
  inheritEnv: boolean;
  ipc: boolean;
  logDir: string;
  runDir: string;
  instance: number;
  readiness: { type: ReadinessType; url: string | null; host: string; port: number | null; timeoutMs: number; intervalMs: number };
  liveness: {
    heartbeatTimeoutMs: number;
    http: string | null;
    intervalMs: number;
    failureThreshold: number;
    probeTimeoutMs: number;
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

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LOCK_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const POLICIES: readonly RestartPolicy[] = ['on-failure', 'always', 'never'];
const READINESS: readonly ReadinessType[] = ['notify', 'http', 'tcp', 'none'];

export function monotonicNow(): number {
  return performance.now();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function int(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  throw new InvalidOptionsError(option, value, `an integer >= ${min}`);
}

function num(option: string, value: unknown, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw new InvalidOptionsError(option, value, `a number in [${min}, ${max}]`);
}

function dur(option: string, value: Duration | undefined, fallback: number): number {
  return value === undefined ? fallback : parseDuration(option, value);
}

function section<T>(option: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new InvalidOptionsError(option, value, 'an object');
  return value;
}

function url(option: string, value: unknown): string {
  if (typeof value === 'string') {
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
    } catch {
      // Not a URL at all: reported just below with the same message as a wrong protocol.
    }
  }
  throw new InvalidOptionsError(option, value, 'an http:// or https:// URL');
}

/** Normalises and validates once; throws InvalidOptionsError before anything is spawned. */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  if (!isObject(options)) throw new InvalidOptionsError('options', options, 'an object');
  const { name, command } = options;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidOptionsError('name', name, '1-64 characters of letters, digits, ".", "_", "-", not starting with "." or "-"');
  }
  if (typeof command !== 'string' || command.length === 0 || command.includes('\0')) {
    throw new InvalidOptionsError('command', command, 'a non-empty string');
  }
  const args = options.args ?? [...DEFAULTS.args];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string' && !arg.includes('\0'))) {
    throw new InvalidOptionsError('args', args, 'an array of strings');
  }
  const env = options.env ?? {};
  if (!isObject(env) || !Object.values(env).every((v) => typeof v === 'string')) {
    throw new InvalidOptionsError('env', env, 'an object of string values');
  }
  if (typeof options.logDir !== 'string' || options.logDir.length === 0) {
    throw new InvalidOptionsError('logDir', options.logDir, 'a directory path');
  }
  const cwd = resolvePath(options.cwd ?? process.cwd());
  if (options.envFile !== undefined && typeof options.envFile !== 'string') {
    throw new InvalidOptionsError('envFile', options.envFile, 'a file path');
  }
  const ipcOption = options.ipc ?? DEFAULTS.ipc;
  if (ipcOption !== 'auto' && typeof ipcOption !== 'boolean') throw new InvalidOptionsError('ipc', ipcOption, 'true, false or "auto"');
  const ipc = ipcOption === 'auto' ? isNodeCommand(command) : ipcOption;

  const readiness = section('readiness', options.readiness);
  const type = readiness.type ?? DEFAULTS.readiness.type;
  if (!READINESS.includes(type)) throw new InvalidOptionsError('readiness.type', type, READINESS.join(' | '));
  let readinessUrl: string | null = null;
  let readinessPort: number | null = null;
  if (type === 'http') readinessUrl = url('readiness.url', readiness.url);
  if (type === 'tcp') readinessPort = int('readiness.port', readiness.port, NaN, 1);
  if (readinessPort !== null && readinessPort > 65_535) throw new InvalidOptionsError('readiness.port', readinessPort, 'a port 1-65535');
  const readinessHost = readiness.host ?? '127.0.0.1';
  if (typeof readinessHost !== 'string') throw new InvalidOptionsError('readiness.host', readinessHost, 'a host name');

  const liveness = section('liveness', options.liveness);
  const restart = section('restart', options.restart);
  const policy = restart.policy ?? DEFAULTS.restart.policy;
  if (!POLICIES.includes(policy)) throw new InvalidOptionsError('restart.policy', policy, POLICIES.join(' | '));
  const neverCodes = restart.neverRestartExitCodes ?? [...DEFAULTS.restart.neverRestartExitCodes];
  if (!Array.isArray(neverCodes) || !neverCodes.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) {
    throw new InvalidOptionsError('restart.neverRestartExitCodes', neverCodes, 'an array of exit codes 0-255');
  }
  const crashLoop = section('restart.crashLoop', restart.crashLoop);
  const stop = section('stop', options.stop);
  const signal = stop.signal ?? DEFAULTS.stop.signal;
  if (typeof signal !== 'string' || !(signal in osConstants.signals)) {
    throw new InvalidOptionsError('stop.signal', signal, 'a signal name such as "SIGTERM"');
  }
  const limits = section('limits', options.limits);
  const logs = section('logs', options.logs);
  const logDir = resolvePath(options.logDir);
  const runDir = options.runDir === undefined ? logDir : resolvePath(options.runDir);

  const resolved: ResolvedSupervisorOptions = {
    name,
    command,
    args: [...args],
    cwd,
    env: { ...env },
    envFile: options.envFile === undefined ? null : isAbsolute(options.envFile) ? options.envFile : resolvePath(cwd, options.envFile),
    inheritEnv: options.inheritEnv ?? DEFAULTS.inheritEnv,
    ipc,
    logDir,
    runDir,
    instance: int('instance', options.instance, 0, 0),
    readiness: {
      type,
      url: readinessUrl,
      host: readinessHost,
      port: readinessPort,
      timeoutMs: dur('readiness.timeout', readiness.timeout, DEFAULTS.readiness.timeoutMs),
      intervalMs: dur('readiness.interval', readiness.interval, DEFAULTS.readiness.intervalMs),
    },
    liveness: {
      heartbeatTimeoutMs: dur('liveness.heartbeatTimeout', liveness.heartbeatTimeout, DEFAULTS.liveness.heartbeatTimeoutMs),
      http: liveness.http === undefined ? null : url('liveness.http', liveness.http),
      intervalMs: dur('liveness.interval', liveness.interval, DEFAULTS.liveness.intervalMs),
      failureThreshold: int('liveness.failureThreshold', liveness.failureThreshold, DEFAULTS.liveness.failureThreshold, 1),
      probeTimeoutMs: dur('liveness.probeTimeout', liveness.probeTimeout, DEFAULTS.liveness.probeTimeoutMs),
      reportTimeoutMs: dur('liveness.reportTimeout', liveness.reportTimeout, DEFAULTS.liveness.reportTimeoutMs),
    },
    restart: {
      policy,
      delayMs: dur('restart.delay', restart.delay, DEFAULTS.restart.delayMs),
      factor: num('restart.factor', restart.factor, DEFAULTS.restart.factor, 1, 100),
      maxDelayMs: dur('restart.maxDelay', restart.maxDelay, DEFAULTS.restart.maxDelayMs),
      jitter: num('restart.jitter', restart.jitter, DEFAULTS.restart.jitter, 0, 1),
      resetAfterMs: dur('restart.resetAfter', restart.resetAfter, DEFAULTS.restart.resetAfterMs),
      neverRestartExitCodes: [...neverCodes],
      crashLoop: {
        count: int('restart.crashLoop.count', crashLoop.count, DEFAULTS.restart.crashLoop.count, 1),
        windowMs: dur('restart.crashLoop.window', crashLoop.window, DEFAULTS.restart.crashLoop.windowMs),
      },
    },
    stop: { signal, timeoutMs: dur('stop.timeout', stop.timeout, DEFAULTS.stop.timeoutMs) },
    limits: {
      memoryBytes: limits.memory === undefined ? DEFAULTS.limits.memoryBytes : parseSize('limits.memory', limits.memory),
      cpuPercent: num('limits.cpu', limits.cpu, DEFAULTS.limits.cpuPercent, 0, 100 * 1024),
      windowMs: dur('limits.window', limits.window, DEFAULTS.limits.windowMs),
      sampleIntervalMs: dur('limits.sampleInterval', limits.sampleInterval, DEFAULTS.limits.sampleIntervalMs),
    },
    logs: {
      maxSizeBytes: logs.maxSize === undefined ? DEFAULTS.logs.maxSizeBytes : parseSize('logs.maxSize', logs.maxSize),
      maxFiles: int('logs.maxFiles', logs.maxFiles, DEFAULTS.logs.maxFiles, 1),
      maxBufferBytes: logs.maxBuffer === undefined ? DEFAULTS.logs.maxBufferBytes : parseSize('logs.maxBuffer', logs.maxBuffer),
      stderrTailLines: int('logs.stderrTailLines', logs.stderrTailLines, DEFAULTS.logs.stderrTailLines, 0),
    },
    lock: resolveLock(options.lock, name),
    orphanGuard: options.orphanGuard ?? null,
    now: options.now ?? monotonicNow,
    random: options.random ?? Math.random,
  };
  if (resolved.restart.maxDelayMs < resolved.restart.delayMs) {
    throw new InvalidOptionsError('restart.maxDelay', restart.maxDelay, `a duration >= restart.delay (${resolved.restart.delayMs} ms)`);
  }
  if (resolved.limits.sampleIntervalMs < 10) {
    throw new InvalidOptionsError('limits.sampleInterval', limits.sampleInterval, 'a duration >= 10ms');
  }
  if (resolved.liveness.intervalMs < 10) throw new InvalidOptionsError('liveness.interval', liveness.interval, 'a duration >= 10ms');
  if (resolved.readiness.intervalMs < 1) throw new InvalidOptionsError('readiness.interval', readiness.interval, 'a duration >= 1ms');
  return resolved;
}

function resolveLock(value: SupervisorOptions['lock'], name: string): ResolvedSupervisorOptions['lock'] {
  if (value === undefined) return null;
  const lock = section('lock', value);
  const backend = lock.backend;
  if (!BACKENDS.includes(backend as LockBackend)) throw new InvalidOptionsError('lock.backend', backend, BACKENDS.join(' | '));
  const pattern = BACKEND_URL[backend as LockBackend];
  if (typeof lock.url !== 'string' || !pattern.test(lock.url)) {
    throw new InvalidOptionsError('lock.url', lock.url, backend === 'redis' ? 'a redis:// or rediss:// URL' : 'a postgres:// or postgresql:// URL');
  }
  const ttlMs = dur('lock.ttl', lock.ttl, DEFAULTS.lock.ttlMs);
  if (ttlMs < MIN_LOCK_TTL_MS) throw new InvalidOptionsError('lock.ttl', lock.ttl, `a duration >= ${MIN_LOCK_TTL_MS}ms`);
  const key = lock.key ?? `${LOCK_KEY_PREFIX}${name}`;
  if (typeof key !== 'string' || !LOCK_KEY.test(key)) {
    throw new InvalidOptionsError('lock.key', key, '1-200 characters of letters, digits, ".", "_", ":", "-", starting with a letter or digit');
  }
  return { backend: backend as LockBackend, url: lock.url, ttlMs, key };
}

function isNodeCommand(command: string): boolean {
  if (command === process.execPath) return true;
  const base = command.split(/[\\/]/).pop() ?? command;
  return base === 'node' || base === 'node.exe';
}
