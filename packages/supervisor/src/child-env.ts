import { fileURLToPath } from 'node:url';
import { readEnvFile } from './env-file.js';
import type { ResolvedSupervisorOptions } from './options.js';

/** What the environment of one spawn depends on beyond the options. */
export interface ChildEnvContext {
  /** The lease held under `lock`, if any. */
  fencingToken: bigint | null;
  /** The name of the listening socket handed over as fd 3, if any. */
  listenName: string | null;
  /** A Node service's port whose `listen()` takes fd 3 (`listen.adopt`): svc's preload is loaded. */
  adoptPort: number | null;
  /** The stream notify socket's path (SVC_NOTIFY_SOCKET), when readiness or heartbeat use it. */
  notifySocket: string | null;
  /** The datagram notify socket's path (NOTIFY_SOCKET, systemd's protocol), when it could be bound. */
  notifyDatagram: string | null;
  /** Where a hung Node service writes its diagnostic report, when liveness is watched over IPC. */
  reportsDir: string | null;
}

let spawns = 0;

/**
 * A new `SVC_INSTANCE_ID`: this process's pid, the monotonic clock in nanoseconds and a counter,
 * so two spawns on one machine never share one (no two live processes share a pid, and the clock
 * only goes forward). A marker, not a secret (any process of the user can read a service's
 * environment); node:crypto is not loaded for it (≈ 12 ms of the daemon's boot).
 */
function newInstanceId(): string {
  return `${process.pid.toString(16)}-${process.hrtime.bigint().toString(16)}-${(++spawns).toString(16)}`;
}

/**
 * Names the variables svc sets itself: never taken from the inherited environment. systemd's
 * among them: a daemon run by systemd (`svc run` in a unit) must not hand its own NOTIFY_SOCKET or
 * watchdog to a service, which would then report to systemd about the daemon instead of to svc.
 */
const PROTOCOL = [
  'SVC_FENCING_TOKEN', 'SVC_NOTIFY', 'SVC_NOTIFY_SOCKET', 'SVC_WATCHDOG_MS', 'SVC_ADOPT_PORT',
  'LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID',
];

/** svc's preload for Node services with `listen.adopt` (bin/adopt.cjs). */
const ADOPT_MODULE = fileURLToPath(new URL('../bin/adopt.cjs', import.meta.url));

/**
 * The environment of one spawn, in order: the inherited environment (`baseEnv`, else this
 * process's, when `inheritEnv`), the env file (read now, at each spawn), `env`, then the protocol
 * variables. `SVC_INSTANCE_ID` is new at each spawn: it marks every process of that run.
 * Throws EnvFileError when the env file cannot be read or parsed.
 */
export function buildChildEnv(o: ResolvedSupervisorOptions, context: ChildEnvContext): Record<string, string> {
  const env: Record<string, string> = {};
  if (o.inheritEnv) {
    for (const [key, value] of Object.entries(o.baseEnv ?? process.env)) if (value !== undefined) env[key] = value;
  }
  if (o.envFile !== null) Object.assign(env, readEnvFile(o.envFile));
  Object.assign(env, o.env);
  // systemd's variables are set afresh for a handed-over socket (LISTEN_PID by the shim at exec),
  // and never passed on from an inherited environment to a service that gets no socket.
  for (const key of PROTOCOL) delete env[key];
  env.SVC_SERVICE_NAME = o.name;
  env.SVC_INSTANCE = String(o.instance);
  env.SVC_STOP_TIMEOUT_MS = String(o.stop.timeoutMs);
  env.SVC_INSTANCE_ID = newInstanceId();
  if (context.fencingToken !== null) env.SVC_FENCING_TOKEN = String(context.fencingToken);
  if (o.ipc) env.SVC_NOTIFY = 'ipc';
  if (context.listenName !== null) {
    env.LISTEN_FDS = '1';
    env.LISTEN_FDNAMES = context.listenName;
  }
  if (context.adoptPort !== null) {
    env.SVC_ADOPT_PORT = String(context.adoptPort);
    // First, so the app's own --require/--import modules load after it; quoted for paths with spaces.
    env.NODE_OPTIONS = `--require "${ADOPT_MODULE.replace(/(["\\])/g, '\\$1')}" ${env.NODE_OPTIONS ?? ''}`.trim();
  }
  if (o.liveness.heartbeatTimeoutMs > 0) env.SVC_WATCHDOG_MS = String(o.liveness.heartbeatTimeoutMs);
  if (context.notifySocket !== null) env.SVC_NOTIFY_SOCKET = context.notifySocket;
  if (context.notifyDatagram !== null) {
    env.NOTIFY_SOCKET = context.notifyDatagram;
    // WATCHDOG_PID (the pid, known only at the exec) is set by the spawn's pid shim (spawn-child.ts).
    if (o.liveness.heartbeatTimeoutMs > 0) env.WATCHDOG_USEC = String(o.liveness.heartbeatTimeoutMs * 1000);
  }
  if (context.reportsDir !== null) {
    // Lets a hung Node service write a diagnostic report on SIGUSR2 before it is killed.
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${context.reportsDir}`.trim();
  }
  return env;
}
