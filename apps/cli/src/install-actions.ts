import { rmSync } from 'node:fs';
import type { ActionResult } from '@svc/installers';
import { connectDaemon, isFinalState, type DaemonRow } from '@svc/supervisor/client';
import type { BaseCommand } from './base-command.js';
import { clientOptions, CONTROL_TIMEOUT_MS, onDaemon } from './daemon.js';
import { CliError } from './errors.js';
import { daemonUnitOptions, prepareSystemHome } from './install-options.js';
import { manifestFile, readManifest, writeManifest, type InstalledEntry, type InstallScope } from './installed.js';
import { withoutWatch } from './foreground.js';
import { findProject, requireService } from './project.js';
import { startServices } from './start-service.js';

export type InstallAction = 'install' | 'uninstall' | 'enable' | 'disable';

export interface InstallFlags extends InstallScope {
  config?: string | undefined;
  dryRun: boolean;
  enable?: boolean;
  linger?: boolean;
  /** `svc install --watch`: the service's `watch` applies under the unit (never otherwise). */
  watch?: boolean;
}

export interface InstallOutcome {
  action: InstallAction;
  service: string;
  /** The services the unit starts at login after this, enabled or not. */
  installed: InstalledEntry[];
  /** What was done to the daemon's unit. */
  unit: ActionResult;
  /** The service's rows when it was started now, or null. */
  started: DaemonRow[] | null;
  stopped: boolean;
}

/**
 * `svc install`, `uninstall`, `enable`, `disable`: changes the list of services the daemon's one
 * unit starts at login (installed.ts), writes the unit again (without restarting the daemon: a
 * new list applies at its next start), and starts or stops the service now, as systemctl's
 * `enable --now` / `disable --now` would.
 */
export async function changeInstalled(command: BaseCommand, action: InstallAction, name: string, flags: InstallFlags, log: (line: string) => void): Promise<InstallOutcome> {
  const scope: InstallScope = { system: flags.system, user: flags.user };
  // Installing needs the config valid now; removing needs only where it is (it may be broken meanwhile).
  const adding = action === 'install' || action === 'enable';
  const config = adding ? await command.loadConfig(flags.config) : null;
  if (config) requireService(config, name);
  const project = config?.project ?? findProject(flags.config).project;
  if (project.config === null) throw new CliError('ECONFIG_NOT_FOUND', `no svc config found for ${name}: only a service of a config file can be installed (an ad-hoc one has no definition to start at login)`);
  const before = readManifest(scope);
  const index = before.findIndex((e) => e.config === project.config && e.service === name);
  if (index < 0 && action !== 'install') throw new CliError('EUSAGE', `${name} of ${project.config} is not installed (svc install ${name} first)`);
  const entries = before.filter((_, i) => i !== index);
  if (action === 'install' || action === 'enable' || action === 'disable') {
    // Each install says anew whether it watches; enable and disable keep what the install said.
    const watch = action === 'install' ? flags.watch === true : before[index]?.watch === true;
    entries.push({ config: project.config, service: name, enabled: action === 'disable' ? false : action === 'enable' || flags.enable !== false, ...(watch ? { watch } : {}) });
  }
  const { createInstaller } = await import('@svc/installers');
  const installer = createInstaller(await daemonUnitOptions(command, entries, scope));
  const enabled = entries.some((e) => e.enabled);
  const target = { project, service: name };
  const othersRun = !flags.dryRun && (await hostsOthers(target));
  let unit: ActionResult;
  if (flags.dryRun) {
    unit = entries.length === 0 ? await installer.uninstall({ dryRun: true, stop: false }) : await installer.install({ enable: enabled, linger: flags.linger ?? false, restartOnChange: false, dryRun: true });
    log(`would list ${entries.filter((e) => e.enabled).length} service(s) to start at login in ${manifestFile(scope)}`);
    return { action, service: name, installed: entries, unit, started: null, stopped: false };
  }
  if (scope.system && entries.length > 0) prepareSystemHome(scope.user ?? 'root');
  const starting = adding && entries.find((e) => e.service === name && e.config === project.config)!.enabled;
  let stopped = false;
  if (!starting) stopped = await stopIfHosted(target);
  if (entries.length === 0) {
    unit = await installer.uninstall({ stop: !othersRun });
    rmSync(manifestFile(scope), { force: true });
  } else {
    writeManifest(scope, entries);
    unit = await installer.install({ enable: enabled, linger: flags.linger ?? false, restartOnChange: false });
    if (!enabled) unit = { ...unit, commands: [...unit.commands, ...(await installer.disable({ stop: !othersRun })).commands] };
  }
  let started: DaemonRow[] | null = null;
  if (starting && config) {
    // The unit's daemon (just started, or already running) is the one to ask; it may still be booting.
    await waitForDaemon(15_000);
    const entry = entries.find((e) => e.service === name && e.config === project.config)!;
    const definition = entry.watch ? config.services[name]! : withoutWatch(config.services[name]!);
    started = (await onDaemon((c) => startServices(c, project, [{ name, definition }], log))).started;
  }
  return { action, service: name, installed: entries, unit, started, stopped };
}

/** Whether the daemon runs services other than `target` (then removing the unit must not stop it). */
async function hostsOthers(target: { project: { id: string }; service: string }): Promise<boolean> {
  const connection = await connectDaemon(clientOptions({ acceptOtherVersion: true })).catch(() => null);
  if (!connection) return false;
  try {
    const rows = await connection.client.call('status', {});
    return rows.some((r) => !(r.project.id === target.project.id && r.name === target.service) && !isFinalState(r.service?.state ?? r.state));
  } finally {
    await connection.close();
  }
}

async function stopIfHosted(target: { project: import('@svc/supervisor/client').ProjectRef; service: string }): Promise<boolean> {
  const connection = await connectDaemon(clientOptions()).catch(() => null);
  if (!connection) return false;
  try {
    const rows = await connection.client.call('status', { project: target.project.id, service: target.service });
    if (rows.length === 0) return false;
    await connection.client.call('stop', target, { timeoutMs: CONTROL_TIMEOUT_MS });
    return true;
  } finally {
    await connection.close();
  }
}

async function waitForDaemon(timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const connection = await connectDaemon(clientOptions()).catch(() => null);
    if (connection) {
      await connection.close();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
