import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { findConfig } from './config/find.js';
import type { DaemonSpec } from './daemon-main.js';
import { daemonId, dirsFor } from './paths.js';
import { daemonEntry } from './svc-entry.js';

/** A daemon this process spawned before the command ran, and how it ended (null: still running). */
export interface Prespawned {
  id: string;
  exited: { code: number | null; signal: string | null } | null;
}

let prespawned: Prespawned | null = null;

/**
 * `svc start <name>` when the config's daemon is not running: spawns it at once, asked to start
 * `name` as soon as it serves, so that the daemon and the service boot while this process loads
 * the command framework. The command then finds the daemon (`takePrespawned`) and waits for that
 * same start. The daemon reads and validates the config itself: an invalid file starts nothing,
 * and the command reports it as usual. Does nothing when no config is found or a daemon answers.
 */
export async function prestart(name: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const configFile = findConfig(process.cwd());
  if (configFile === null) return;
  const id = daemonId({ configFile });
  const dirs = dirsFor(id, env);
  if (await answers(path.join(dirs.runDir, `${id}.sock`))) return;
  const logFile = path.join(dirs.logDir, id, 'daemon.log');
  mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
  const spec: DaemonSpec = { kind: 'config', configFile, name: undefined, spawned: true, start: [name] };
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [daemonEntry(), JSON.stringify(spec)], { detached: true, stdio: ['ignore', log, log], env });
  closeSync(log);
  const record: Prespawned = { id, exited: null };
  child.once('exit', (code, signal) => (record.exited = { code, signal }));
  child.once('error', () => (record.exited = { code: null, signal: 'spawn error' }));
  child.unref();
  prespawned = record;
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
