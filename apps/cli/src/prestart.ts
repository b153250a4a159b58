import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { IpcClient } from '@svc/ipc';
import type { InstanceStats } from '@svc/supervisor';
import { configDigest, findConfig } from './config/find.js';
import type { DaemonSpec } from './daemon-main.js';
import { daemonId, dirsFor } from './paths.js';
import { withSpinner } from './output.js';
import { alreadyRunningLine, runningLine, startFailed } from './start-messages.js';
import { daemonEntry } from './svc-entry.js';
import { rowState } from './to-status-items.js';
import { CONTROL_TIMEOUT_MS } from './wait.js';

/** A daemon this process spawned before the command ran, and how it ended (null: still running). */
export interface Prespawned {
  id: string;
  exited: { code: number | null; signal: string | null } | null;
}

let prespawned: Prespawned | null = null;

/**
 * `svc start <name>` before the command framework loads. When the config's daemon is not running:
 * spawns it at once, asked to start `name` as soon as it serves, so that the daemon and the
 * service boot while this process loads the command; the command then finds the daemon
 * (`takePrespawned`) and waits for that same start. The daemon reads and validates the config
 * itself: an invalid file starts nothing, and the command reports it as usual. When the daemon
 * runs and the file is the one it validated, starts the service here ('handled'). Otherwise
 * 'continue': the command does the rest.
 */
export async function prestart(name: string, options: { json: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<'handled' | 'continue'> {
  const configFile = findConfig(process.cwd());
  if (configFile === null) return 'continue';
  const id = daemonId({ configFile });
  const dirs = dirsFor(id, env);
  const socketPath = path.join(dirs.runDir, `${id}.sock`);
  if (await answers(socketPath)) return options.json ? 'continue' : startOnRunningDaemon(name, configFile, id, dirs.runDir, socketPath);
  const spec: DaemonSpec = { kind: 'config', configFile, name: undefined, spawned: true, start: [name] };
  const record: Prespawned = { id, ...spawnDaemon(path.join(dirs.logDir, id, 'daemon.log'), spec, env) };
  prespawned = record;
  if (options.json) return 'continue';
  // Wait for it here rather than load the command beside it (on a small machine they would share
  // the CPU): it validated the config it loaded, and started `name` once serving.
  const deadline = performance.now() + 15_000;
  while (!(await answers(socketPath))) {
    if (record.exited !== null || performance.now() > deadline) return 'continue';
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return startOnDaemon(name, socketPath, { fresh: true });
}

/**
 * The daemon runs, and its lock record says it validated exactly the bytes the config file has
 * now: ask it to start `name` straight away and print what the command would, without loading
 * the command framework or the config's parsers. Anything unexpected (another file, an unknown
 * service, an error other than a start failure) is left to the command: 'continue'.
 */
async function startOnRunningDaemon(name: string, configFile: string, id: string, runDir: string, socketPath: string): Promise<'handled' | 'continue'> {
  const digest = configDigest(configFile);
  if (digest === null) return 'continue';
  const { readLock } = await import('@svc/lock');
  const lock = await readLock({ name: `svc-daemon-${id}`, dir: runDir });
  if (lock.state !== 'held' || lock.holder?.metadata.configDigest !== digest) return 'continue';
  return startOnDaemon(name, socketPath, { fresh: false });
}

/**
 * Asks the daemon on `socketPath` to start `name` and prints what the command would. `fresh`: this
 * process spawned the daemon, which already started `name` (so it is never "already running"; a
 * failure it already gave up on is left to the command, which reports it).
 */
async function startOnDaemon(name: string, socketPath: string, options: { fresh: boolean }): Promise<'handled' | 'continue'> {
  const { connectIpc } = await import('@svc/ipc');
  let client: IpcClient;
  try {
    client = await connectIpc(socketPath, { timeoutMs: 2_000 });
  } catch (error) {
    // The daemon stopped answering since we looked: the command starts one, or says why not.
    if (typeof (error as { code?: unknown }).code === 'string') return 'continue';
    throw error;
  }
  try {
    const rows = (await client.call('status', { service: name })) as InstanceStats[];
    const current = rows.find((r) => r.state === 'running') ?? rows[0];
    const state = current ? rowState(current) : 'stopped';
    if (options.fresh && state === 'failed') return 'continue';
    if (!options.fresh && current && (state === 'running' || state === 'standby')) {
      process.stdout.write(`${alreadyRunningLine(name, current)}\n`);
      return 'handled';
    }
    let stats: InstanceStats[];
    try {
      stats = (await withSpinner(`starting ${name}`, () => client.call('start', { service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }))) as InstanceStats[];
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ESTART_FAILED') return 'continue';
      const fromError = (error as { data?: { stderrTail?: unknown } }).data?.stderrTail;
      const failure = startFailed(name, (error as Error).message, Array.isArray(fromError) ? fromError.map(String) : []);
      process.stderr.write(`Error: ${failure.message}\n${failure.details.map((l) => `${l}\n`).join('')}`);
      process.exitCode = 1;
      return 'handled';
    }
    process.stdout.write(`${runningLine(name, stats)}\n`);
    return 'handled';
  } catch (error) {
    // EUNKNOWN_SERVICE and the like: the command reports them in its own words.
    if (typeof (error as { code?: unknown }).code === 'string') return 'continue';
    throw error;
  } finally {
    await client.close();
  }
}

/**
 * Spawns a supervisor daemon detached (its own session), output appended to `logFile`. The
 * returned object's `exited` is set when it ends (read it later: it is updated in place).
 */
export function spawnDaemon(logFile: string, spec: DaemonSpec, env: NodeJS.ProcessEnv): { exited: Prespawned['exited'] } {
  mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
  const log = openSync(logFile, 'a', 0o600);
  const watch: { exited: Prespawned['exited'] } = { exited: null };
  try {
    const child = spawn(process.execPath, [daemonEntry(), JSON.stringify(spec)], { detached: true, stdio: ['ignore', log, log], env });
    child.once('exit', (code, signal) => (watch.exited = { code, signal }));
    child.once('error', () => (watch.exited = { code: null, signal: 'spawn error' }));
    child.unref();
  } finally {
    closeSync(log);
  }
  return watch;
}

/** The daemon `prestart` spawned for `id`, once: the caller waits for it instead of spawning another. */
export function takePrespawned(id: string): Prespawned | null {
  if (prespawned?.id !== id) return null;
  const taken = prespawned;
  prespawned = null;
  return taken;
}

/** Whether something accepts on the unix socket (a daemon that serves). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // ENOENT, ECONNREFUSED: no daemon serves there (a stale file is the daemon's to replace).
    socket.once('error', () => resolve(false));
  });
}
