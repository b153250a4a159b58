import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveStateDir } from '@svc/lock/dirs';
import { writePrivateFile } from './private-file.js';
import type { SupervisorStats } from '@svc/supervisor';

/*
 * A daemon exits when it runs no service any more — also when its last service gave up. So that
 * `svc status` can still show such a service as failed, with its reason and stderr tail, `svc run`
 * writes the failed services' last stats to `<state dir>/<daemon id>/failed.json` as it exits.
 * The next start of the daemon (or `svc stop` of the service) clears it.
 */

const FILE = 'failed.json';

/*
 * A daemon that died without exiting (kill -9, the OOM killer) leaves a stale lock and socket,
 * which the first `svc status` to find it removes. So that its services are not forgotten with
 * those files — `svc status` must keep showing them dead, never running and never gone — that
 * status writes `<state dir>/<daemon id>/died.json` with the names it hosted. A new daemon for
 * the same id (`svc start`) or `svc stop` of the service clears it, like failed.json.
 */
const DIED = 'died.json';

export interface DiedRecord {
  id: string;
  /** The dead daemon's pid. */
  pid: number;
  /** When its death was found. */
  at: string;
  services: string[];
}

export function writeDied(id: string, pid: number, services: string[], env: NodeJS.ProcessEnv = process.env): void {
  if (services.length === 0) return;
  writePrivateFile(path.join(resolveStateDir(env), id, DIED), JSON.stringify({ pid, at: new Date().toISOString(), services }));
}

export function readAllDied(env: NodeJS.ProcessEnv = process.env): DiedRecord[] {
  const root = resolveStateDir(env);
  if (!existsSync(root)) return [];
  const found: DiedRecord[] = [];
  for (const id of readdirSync(root)) {
    const file = path.join(root, id, DIED);
    if (!existsSync(file)) continue;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; at: string; services: unknown };
      found.push({ id, pid: data.pid, at: data.at, services: Array.isArray(data.services) ? data.services.map(String) : [] });
    } catch (error) {
      // An unreadable record cannot be shown; say so rather than hide it.
      process.emitWarning(`ignoring unreadable ${file}: ${(error as Error).message}`);
    }
  }
  return found;
}

export function writeFailed(id: string, stats: SupervisorStats[], env: NodeJS.ProcessEnv = process.env): void {
  const dir = path.join(resolveStateDir(env), id);
  // A daemon that exits on its own knows what it leaves: any earlier "died" record is obsolete.
  rmSync(path.join(dir, DIED), { force: true });
  const failed = stats.filter((s) => s.state === 'failed');
  const file = path.join(dir, FILE);
  if (failed.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  writePrivateFile(file, JSON.stringify({ at: new Date().toISOString(), pid: process.pid, services: failed }));
}

export function readAllFailed(env: NodeJS.ProcessEnv = process.env): Array<{ id: string; pid: number; services: SupervisorStats[] }> {
  const root = resolveStateDir(env);
  if (!existsSync(root)) return [];
  const found: Array<{ id: string; pid: number; services: SupervisorStats[] }> = [];
  for (const id of readdirSync(root)) {
    const file = path.join(root, id, FILE);
    if (!existsSync(file)) continue;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; services: SupervisorStats[] };
      found.push({ id, pid: data.pid, services: data.services });
    } catch (error) {
      // A damaged record is a report we cannot show; say so in its place rather than hide it.
      found.push({ id, pid: 0, services: [] });
      process.emitWarning(`ignoring unreadable ${file}: ${(error as Error).message}`);
    }
  }
  return found;
}

/** Forgets what failed.json and died.json say about a daemon's services (all of them, or `name`). */
export function clearFailed(id: string, name?: string, env: NodeJS.ProcessEnv = process.env): void {
  clearDied(id, name, env);
  const file = path.join(resolveStateDir(env), id, FILE);
  if (!existsSync(file)) return;
  if (name === undefined) {
    rmSync(file, { force: true });
    return;
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; services: SupervisorStats[] };
  const rest = data.services.filter((s) => s.name !== name);
  if (rest.length === 0) rmSync(file, { force: true });
  else writePrivateFile(file, JSON.stringify({ ...data, services: rest }));
}

function clearDied(id: string, name: string | undefined, env: NodeJS.ProcessEnv): void {
  const file = path.join(resolveStateDir(env), id, DIED);
  if (!existsSync(file)) return;
  if (name === undefined) {
    rmSync(file, { force: true });
    return;
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; at: string; services: string[] };
  const rest = data.services.filter((s) => s !== name);
  if (rest.length === 0) rmSync(file, { force: true });
  else writePrivateFile(file, JSON.stringify({ ...data, services: rest }));
}
