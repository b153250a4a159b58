import path from 'node:path';
import { build, type PlistValue } from 'plist';
import { DEFAULTS } from './defaults.js';
import type { Backend, InstallState } from './backend.js';
import { posixCommandLine } from './posix-quote.js';
import type { PlannedCommand, ResolvedInstallerOptions } from './types.js';
import { detectVersionManager } from './version-manager.js';
import { versionManagerWarning } from './version-manager-warning.js';

/**
 * The property list of a LaunchAgent / LaunchDaemon, serialised by the plist library so that
 * every string is XML-escaped. ProgramArguments is an argv array run without a shell: nothing in it
 * is expanded.
 */
export function renderLaunchdPlist(o: ResolvedInstallerOptions): string {
  const logBase = path.posix.join(o.logDir ?? '', o.serviceName);
  const job: Record<string, PlistValue> = {
    Label: o.serviceName,
    ProgramArguments: o.argv,
    WorkingDirectory: o.workingDirectory,
    EnvironmentVariables: Object.fromEntries(o.env),
    RunAtLoad: true,
    // Restart only when the supervisor itself exits with an error; it restarts the service on its own.
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: Math.ceil(DEFAULTS.restartDelayMs / 1000),
    ExitTimeOut: Math.ceil((o.stopTimeoutMs + DEFAULTS.stopMarginMs) / 1000),
    StandardOutPath: `${logBase}.out.log`,
    StandardErrorPath: `${logBase}.err.log`,
  };
  if (o.scope === 'system') job.UserName = o.user;
  return build(job);
}

/**
 * launchctl's domains: a LaunchAgent belongs to the user's GUI session `gui/<uid>`, a LaunchDaemon
 * to `system`. bootstrap loads (and, with RunAtLoad, starts) a job; bootout unloads and stops it;
 * enable/disable are remembered by launchd across reboots and override the plist.
 */
export function createLaunchdBackend(o: ResolvedInstallerOptions): Backend {
  const warnings = [versionManagerWarning(detectVersionManager(o.nodePath), o.nodePath)].filter((w) => w !== undefined);
  const file = path.join(o.unitDir, `${o.serviceName}.plist`);
  const domain = o.scope === 'system' ? 'system' : `gui/${o.uid}`;
  const target = `${domain}/${o.serviceName}`;
  const launchctl = (...args: string[]): PlannedCommand => ({ file: 'launchctl', args, display: posixCommandLine(['launchctl', ...args]) });
  const load = (): PlannedCommand[] => [
    launchctl('enable', target),
    { ...launchctl('bootstrap', domain, file), mayFail: 'fails when the job is already loaded; the print that follows checks it is' },
    launchctl('print', target),
  ];
  const unload = (): PlannedCommand => ({ ...launchctl('bootout', target), mayFail: 'fails when the job is not loaded' });

  return {
    platform: 'launchd',
    scope: o.scope,
    serviceName: o.serviceName,
    files: [{ kind: 'write', path: file, content: renderLaunchdPlist(o), mode: 0o644 }],
    warnings,
    installCommands(state: InstallState) {
      if (!state.enable) return [];
      // A loaded job keeps its old definition until it is booted out and bootstrapped again.
      return state.changed && state.existed && state.restartOnChange ? [unload(), ...load()] : state.changed && state.existed ? [] : load();
    },
    enableCommands: load,
    disableCommands: (stop) => [...(stop ? [unload()] : []), launchctl('disable', target)],
    // Without stop, the job stays loaded (and running) until it ends or the session does; it is not loaded again.
    beforeRemoveCommands: (stop) => (stop ? [unload()] : []),
    afterRemoveCommands: () => [],
    isEnabledCommand: () => ({ ...launchctl('print', target), mayFail: 'fails when the job is not loaded' }),
    isEnabledFrom: (result) => result.exitCode === 0,
  };
}
