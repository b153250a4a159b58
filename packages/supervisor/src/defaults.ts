import type { RestartPolicy } from './restart-policy.js';
import { MAX_DURATION_MS, MAX_SIZE_BYTES } from './units.js';

export type ReadinessType = 'notify' | 'http' | 'tcp' | 'none';
export type LockBackend = 'redis' | 'postgres';
/** `simple`: runs until stopped; `oneshot`: runs to completion (a migration, a build step), then is `completed`. */
export type ServiceType = 'simple' | 'oneshot';

/**
 * Every default the Supervisor uses. The docs page's options table is checked against this
 * object by a test, so what the docs say is what the code does.
 */
export const DEFAULTS = {
  type: 'simple' as ServiceType,
  args: [] as string[],
  inheritEnv: true,
  ipc: 'auto' as boolean | 'auto',
  /**
   * `startWindowMs` is the start window of a `none` service: it counts as started once it has stayed
   * up that long. The other types default to 0 (their check is the proof); any may set one as a floor.
   */
  readiness: { type: 'none' as ReadinessType, timeoutMs: 30_000, intervalMs: 100, startWindowMs: 1_000 },
  liveness: { heartbeatTimeoutMs: 0, intervalMs: 10_000, failureThreshold: 3, timeoutMs: 5_000, reportTimeoutMs: 2_000 },
  restart: {
    /** A `oneshot`'s default is `never`: it ran to its end (see ONESHOT_DEFAULTS). */
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

/**
 * What differs for `type: oneshot`: no restart unless the policy says so, no start window (the
 * start is its whole run) and no time limit on that run unless `readiness.timeout` sets one.
 */
export const ONESHOT_DEFAULTS = {
  restart: { policy: 'never' as RestartPolicy },
  readiness: { startWindowMs: 0, timeoutMs: 0 },
} as const;

/**
 * `watch: true`, and what every `watch` has: a Service's option (SERVICE_DEFAULTS.watch), its
 * docs table checked against this. `alwaysIgnored`: names never watched, besides `watch.ignore`;
 * `maxDirs`: the most directories one service watches (each costs an inotify watch on Linux).
 */
export const WATCH_DEFAULTS = {
  paths: ['.'] as string[],
  ignore: [] as string[],
  debounceMs: 500,
  alwaysIgnored: ['node_modules', '.git'] as string[],
  maxDirs: 4096,
} as const;

/**
 * The daemon's history of each hosted instance's CPU and memory (daemon-history.ts): a sample
 * every `intervalMs`, the last `keepMs` kept in memory (360 samples an instance, 4 numbers each).
 * Bounds of `createDaemon({ history })`: `intervalMs` 10 ms to an hour; `keepMs` at least one
 * interval and at most `maxSamples` of them (what an instance's ring may hold).
 */
/**
 * The heartbeat of each hosted service's lock (`svc-service-…`): a holder on this host is judged by
 * its pid, so the heartbeat only notices a lock removed by hand (taken again) and keeps the record
 * fresh for a holder seen from another host. Every beat reads and touches a file: with 20 services
 * at @svc/lock's 2 s that was a quarter of the idle daemon's CPU. The daemon's own lock keeps 2 s.
 */
export const SERVICE_LOCK_TIMING = { heartbeatMs: 10_000, staleMs: 60_000 } as const;

/**
 * Node options of the daemon's own process (spawned on demand, or run by an installed unit). V8
 * sizes the young generation of its heap from the machine's memory and grows it with the
 * allocation rate (the limit scales with the machine's memory): a daemon passing 10 000 log lines
 * a second reached a 134 MB young generation and an RSS of ≈ 240 MB that kept rising for half an hour as V8 touched
 * more of it (bench/README.md, the soak). 8 MB bounds it at ≈ 16 MB; a collection of it is still
 * quick, since almost nothing of a log line outlives it.
 */
export const DAEMON_NODE_ARGS: readonly string[] = ['--max-semi-space-size=8'];

export const HISTORY_DEFAULTS = { intervalMs: 10_000, keepMs: 3_600_000 } as const;
export const HISTORY_LIMITS = { intervalMs: { min: 10, max: 3_600_000 }, maxSamples: 10_000 } as const;

/**
 * The bounds of the options that have more than "a duration" or "a size" (which are bounded by
 * MAX_DURATION_MS and MAX_SIZE_BYTES): one place, used by the checks and shown by the docs.
 */
export const LIMITS = {
  instance: { max: 1023 },
  readiness: { timeout: { min: 1 }, interval: { min: 1 } },
  liveness: { heartbeatTimeout: { min: 0 }, interval: { min: 10 }, failureThreshold: { max: 1000 }, timeout: { min: 1 } },
  restart: { factor: { min: 1, max: 10 }, crashLoopCount: { max: 1000 }, crashLoopWindow: { min: 1 } },
  limits: { cpu: { max: 100 * 1024 }, sampleInterval: { min: 10 } },
  logs: { maxSize: { min: 1 }, maxFiles: { max: 100 }, maxBuffer: { min: 1 }, stderrTailLines: { max: 10_000 } },
  lock: { ttl: { min: 100 } },
  /** A Service's `watch` (its paths and patterns in characters) and `restart.schedule` (in characters). */
  watch: { debounce: { min: 10, max: 3_600_000 }, paths: { max: 64, length: 4096 }, ignore: { max: 256, length: 256 } },
  schedule: { length: 256 },
  /** Every duration option, unless a tighter bound is listed above. */
  durationMs: { max: MAX_DURATION_MS },
  /** Every size option. */
  sizeBytes: { max: MAX_SIZE_BYTES },
} as const;

/** A service name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A distributed lock's key (lock.key). */
export const LOCK_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
/** The lease's name when `lock.key` is not given: `svc-service-<name>`, the same on every host. */
export const LOCK_KEY_PREFIX = 'svc-service-';
