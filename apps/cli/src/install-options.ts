import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { InstallerOptions } from '@svc/installers';
import type { BaseCommand } from './base-command.js';
import { serviceRef, type InstallScope, type InstalledEntry } from './installed.js';
import { svcEntry } from './svc-entry.js';

/*
 * What `svc install` installs: one OS service per user — the per-user svc daemon, run in the
 * foreground by the service manager (`svc daemon run --service <name>@<config> …`) — not one per
 * svc service. Installing five services costs one daemon, as starting five does (installed.ts).
 */

/** System units get a home of their own, made for the account (the account's home may not be writable). */
export function systemSvcHome(user: string): string {
  return path.join('/var/lib/svc', user);
}

/**
 * A system unit's daemon runs as `user` with SVC_HOME=/var/lib/svc/<user>: made here (0700,
 * owned by that account) before the unit first starts, since the account may have no writable home.
 */
export function prepareSystemHome(user: string): string {
  const dir = systemSvcHome(user);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  chownSync(dir, id('-u'), id('-g'));
  return dir;
}

/** The arguments of `svc daemon run` that start `entries` (the enabled ones), and let those installed with --watch watch. */
export function daemonArgs(entries: readonly InstalledEntry[]): string[] {
  const enabled = entries.filter((e) => e.enabled);
  return ['daemon', 'run', ...enabled.flatMap((e) => ['--service', serviceRef(e)]), ...enabled.filter((e) => e.watch).flatMap((e) => ['--watch', serviceRef(e)])];
}

/** The installer options of the daemon's unit for this list. */
export async function daemonUnitOptions(command: BaseCommand, entries: readonly InstalledEntry[], scope: InstallScope): Promise<InstallerOptions> {
  const { DAEMON_NODE_ARGS, DEFAULTS, checkServiceDefinition } = await import('@svc/supervisor/definition');
  // The service manager waits for the slowest stop before it kills: the longest stop.timeout listed.
  let stopTimeoutMs: number = DEFAULTS.stop.timeoutMs;
  for (const entry of entries) {
    const config = await command.loadConfig(entry.config, { fresh: true }).catch(() => null);
    const definition = config?.services[entry.service];
    if (!definition) continue;
    stopTimeoutMs = Math.max(stopTimeoutMs, checkServiceDefinition(entry.service, definition).resolved.stop.timeoutMs);
  }
  const env: Record<string, string> = {};
  if (scope.system) env.SVC_HOME = systemSvcHome(scope.user ?? 'root');
  else for (const key of ['SVC_HOME', 'XDG_STATE_HOME'] as const) if (process.env[key]) env[key] = path.resolve(process.env[key]);
  return {
    name: scope.system ? `daemon.${scope.user ?? 'root'}` : 'daemon',
    description: 'svc: the per-user service daemon, and the services svc install enabled',
    nodePath: realpathSync(process.execPath),
    // The daemon's own Node options, as when a command spawns it (@svc/supervisor's DAEMON_NODE_ARGS).
    nodeArgs: [...DAEMON_NODE_ARGS],
    svcEntry: svcEntry(),
    args: daemonArgs(entries),
    workingDirectory: scope.system ? systemSvcHome(scope.user ?? 'root') : homedir(),
    env,
    stopTimeoutMs,
    system: scope.system,
    ...(scope.user ? { user: scope.user } : {}),
  };
}
