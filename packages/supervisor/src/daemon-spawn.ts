import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonPaths, type DaemonPaths } from './daemon-paths.js';
import { DAEMON_NODE_ARGS } from './defaults.js';

/*
 * Spawning the per-user daemon, apart from talking to it: `@svc/supervisor/spawn` is this file
 * alone, so that `svc start` can set the daemon booting before it loads anything else (the
 * client, the config's parsers). The rest of the client is daemon-client.ts.
 */

export interface DaemonClientOptions {
  /** Environment for the directories (SVC_HOME, XDG_*), and the spawned daemon's own. */
  env?: Record<string, string | undefined>;
  runDir?: string;
  stateDir?: string;
  /** The connect timeout, and the default timeout of a call. */
  timeoutMs?: number;
  /** Talk to a daemon of another version (to find out what it runs, move its services, or stop it). */
  acceptOtherVersion?: boolean;
  /** What `ensureDaemon` runs: this node binary and this package's `bin/daemon.mjs` by default. */
  execPath?: string;
  entry?: string;
  /** How long `ensureDaemon` waits for a daemon it spawned to serve. */
  spawnTimeoutMs?: number;
}

/** The script a spawned daemon runs: `bin/daemon.mjs` of this package. */
export function daemonEntry(): string {
  return fileURLToPath(new URL('../bin/daemon.mjs', import.meta.url));
}

export function pathsOf(options: DaemonClientOptions): DaemonPaths {
  return daemonPaths(options.env ?? process.env, { ...(options.runDir ? { runDir: options.runDir } : {}), ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
}

/** A daemon this process spawned: its pid, and how it ended (null while it runs). */
export interface SpawnedDaemon {
  readonly pid: number | undefined;
  readonly exited: { code: number | null; signal: string | null } | null;
  /**
   * Spawned with `handoff`: hands it one start to begin as soon as it holds its lock, before its
   * socket serves (null: none — always call it once, so the daemon's stdin ends). Then call
   * `start` with `handoff: token` to collect the outcome. A no-op for a daemon spawned without.
   */
  handOver(start: DaemonHandoff | null): void;
}

/** A start handed over at spawn: the `start` call's params, and a token (1-64 of [A-Za-z0-9_-]) to collect it by. */
export interface DaemonHandoff {
  token: string;
  project: { id: string; config: string | null };
  service: string;
  definition: object;
  environment: Record<string, string> | null;
}

/**
 * Spawns a daemon detached (its own session, cwd /), its output appended to its log file.
 * `handoff`: its stdin is a pipe for `handOver`.
 */
export function spawnDaemon(options: DaemonClientOptions = {}, spawnOptions: { handoff?: boolean } = {}): SpawnedDaemon {
  const paths = pathsOf(options);
  mkdirSync(path.dirname(paths.logFile), { recursive: true, mode: 0o700 });
  const log = openSync(paths.logFile, 'a', 0o600);
  const watch: { pid: number | undefined; exited: SpawnedDaemon['exited']; handOver: SpawnedDaemon['handOver'] } = { pid: undefined, exited: null, handOver: () => undefined };
  try {
    const env = Object.fromEntries(Object.entries(options.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
    // node:child_process is required here, not imported: `svc status` loads this module and never spawns.
    const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const child = spawn(options.execPath ?? process.execPath, [...DAEMON_NODE_ARGS, options.entry ?? daemonEntry()], { detached: true, stdio: [spawnOptions.handoff ? 'pipe' : 'ignore', log, log], env, cwd: '/' });
    watch.pid = child.pid;
    const stdin = child.stdin;
    if (stdin) {
      // The pipe must not keep this process alive; a daemon that died early must not crash it (EPIPE).
      (stdin as unknown as { unref?: () => void }).unref?.();
      stdin.on('error', () => undefined);
      watch.handOver = (start) => {
        if (stdin.writableEnded) return;
        stdin.end(start === null ? '' : JSON.stringify(start));
      };
    }
    child.once('exit', (code, signal) => (watch.exited = { code, signal }));
    child.once('error', (error) => (watch.exited = { code: null, signal: `spawn error: ${error.message}` }));
    child.unref();
  } finally {
    closeSync(log);
  }
  return watch;
}

/**
 * Spawns a daemon now when none can be serving (its socket file is absent), so that it boots
 * while the caller does its own work; null when a socket is there (a daemon serves, or a dead
 * one's socket is left: `ensureDaemon` finds out). Follow with `ensureDaemon(options, spawned)`,
 * or with `dismissDaemon` when the work turns out to need no daemon.
 */
export function spawnDaemonEarly(options: DaemonClientOptions = {}): SpawnedDaemon | null {
  return existsSync(pathsOf(options).socketPath) ? null : spawnDaemon(options, { handoff: true });
}

