import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { daemonPaths } from '@svc/supervisor/client';
import { CliError } from './errors.js';
import { writePrivateFile } from './private-file.js';

/*
 * `svc install`'s list of the services the daemon's unit starts at login (or boot), kept to write
 * the unit again when the list changes. The unit itself carries the list in its ExecStart (`svc
 * daemon run --service <name>@<config> …`), and each service starts from its config file as the
 * file is then — never a saved snapshot of what once ran. Only `svc install`, `uninstall`,
 * `enable` and `disable` change it. User units: `<state dir>/installed.json`; system units (root):
 * `/etc/svc/installed/<user>.json`.
 */

export interface InstalledEntry {
  /** The config file, by its real path. */
  config: string;
  service: string;
  /** Started by the daemon at login; false after `svc disable`. */
  enabled: boolean;
  /** Its `watch` applies under the unit (`svc install --watch`); absent: it does not. */
  watch?: boolean;
}

export interface InstallScope {
  system: boolean;
  /** System units: the account the daemon runs as. */
  user?: string | undefined;
}

export function manifestFile(scope: InstallScope): string {
  return scope.system ? path.join('/etc/svc/installed', `${scope.user ?? 'root'}.json`) : path.join(daemonPaths(process.env).stateDir, 'installed.json');
}

export function readManifest(scope: InstallScope): InstalledEntry[] {
  const file = manifestFile(scope);
  if (!existsSync(file)) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError('ECONFIG', `${file} is not JSON (${(error as Error).message}): fix or remove it, then svc install again`, { cause: error });
  }
  const isEntry = (e: unknown): e is InstalledEntry => {
    const entry = e as Partial<InstalledEntry> | null;
    return typeof entry?.config === 'string' && typeof entry.service === 'string' && typeof entry.enabled === 'boolean' && (entry.watch === undefined || typeof entry.watch === 'boolean');
  };
  if (!Array.isArray(entries) || !entries.every(isEntry)) {
    throw new CliError('ECONFIG', `${file} is not a list of { config, service, enabled }: fix or remove it, then svc install again`);
  }
  return entries;
}

export function writeManifest(scope: InstallScope, entries: InstalledEntry[]): void {
  writePrivateFile(manifestFile(scope), `${JSON.stringify(entries, null, 2)}\n`);
}

/** `<name>@<config>`, as `svc daemon run --service` takes it (a service name has no "@"). */
export function serviceRef(entry: Pick<InstalledEntry, 'service' | 'config'>): string {
  return `${entry.service}@${entry.config}`;
}

export function parseServiceRef(ref: string): { service: string; config: string } | null {
  const at = ref.indexOf('@');
  if (at <= 0 || !path.isAbsolute(ref.slice(at + 1))) return null;
  return { service: ref.slice(0, at), config: ref.slice(at + 1) };
}
