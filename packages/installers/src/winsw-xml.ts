import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import type { Backend, InstallState } from './backend.js';
import type { InstallerWarning, PlannedCommand, ResolvedInstallerOptions } from './types.js';
import { detectVersionManager } from './version-manager.js';
import { versionManagerWarning } from './version-manager-warning.js';
import { windowsCommandLine } from './windows-quote.js';
import { renderXml, type XmlElement } from './xml-element.js';

/**
 * Windows runs only real service binaries, so node is wrapped by WinSW (https://github.com/winsw/winsw):
 * the WinSW executable, copied as <service>.exe, reads <service>.xml beside it and starts
 * `node <entry> run <name>` with the arguments as one Windows command line.
 */
export function renderWinswXml(o: ResolvedInstallerOptions): string {
  const text = (name: string, value: string): XmlElement => ({ name, text: value });
  const children: XmlElement[] = [
    text('id', o.serviceName),
    text('name', `svc ${o.name}`),
    text('description', o.description),
    text('executable', o.nodePath),
    text('arguments', windowsCommandLine(o.argv.slice(1))),
    text('workingdirectory', o.workingDirectory),
    ...o.env.map(([key, value]): XmlElement => ({ name: 'env', attributes: { name: key, value } })),
    text('startmode', 'Automatic'),
    text('stoptimeout', `${Math.ceil((o.stopTimeoutMs + DEFAULTS.stopMarginMs) / 1000)} sec`),
    { name: 'onfailure', attributes: { action: 'restart', delay: `${Math.ceil(DEFAULTS.restartDelayMs / 1000)} sec` } },
    text('resetfailure', '1 hour'),
    ...(o.logDir === undefined ? [] : [text('logpath', o.logDir)]),
    { name: 'log', attributes: { mode: 'roll-by-size' } },
  ];
  return renderXml({ name: 'service', children });
}

/**
 * sc.exe takes `option= value` pairs: the `=` belongs to the option word and the value is the next
 * argument. binPath must itself be quoted when it holds a space, or the SCM tries C:\Program.exe
 * first (the "unquoted service path" flaw), so the value passed is `"C:\...\svc-api.exe"` with its
 * quotes, and the runner's own quoting wraps that once more on the command line.
 */
export function createWindowsBackend(o: ResolvedInstallerOptions): Backend {
  const warnings: InstallerWarning[] = [versionManagerWarning(detectVersionManager(o.nodePath), o.nodePath)].filter((w) => w !== undefined);
  if (!o.systemRequested) {
    warnings.push({
      code: 'WWINDOWS_SYSTEM_ONLY',
      message: 'Windows services are machine-wide: this one is installed for all users and needs an elevated (administrator) prompt.',
    });
  }
  // Joined the Windows way when the directory is a Windows path, so a preview made elsewhere shows
  // the real paths; a POSIX directory (tests on Linux) is joined the host's way.
  const paths = /^[A-Za-z]:[\\/]|^\\\\/.test(o.unitDir) ? path.win32 : path;
  const xmlPath = paths.join(o.unitDir, `${o.serviceName}.xml`);
  const exePath = paths.join(o.unitDir, `${o.serviceName}.exe`);
  const sc = (...args: string[]): PlannedCommand => ({ file: 'sc.exe', args, display: windowsCommandLine(['sc.exe', ...args]) });
  const id = o.serviceName;
  const start = (): PlannedCommand => ({ ...sc('start', id), okExitCodes: [ERROR_SERVICE_ALREADY_RUNNING] });
  // WinSW's own stop and restart wait until the service has stopped; `sc.exe stop` only asks.
  const wrapper = (...args: string[]): PlannedCommand => ({ file: exePath, args, display: windowsCommandLine([exePath, ...args]) });
  const stop = (): PlannedCommand => ({ ...wrapper('stop'), mayFail: 'fails when the service is not running' });
  const enable = (): PlannedCommand[] => [sc('config', id, 'start=', 'auto'), start()];

  return {
    platform: 'windows',
    scope: 'system',
    serviceName: id,
    files: [
      { kind: 'write', path: xmlPath, content: renderWinswXml(o), mode: 0o644 },
      { kind: 'copy', path: exePath, from: o.windowsWrapperPath ?? '', mode: 0o755 },
    ],
    warnings,
    installCommands(state: InstallState) {
      const commands: PlannedCommand[] = [];
      if (!state.existed) {
        commands.push(sc('create', id, 'binPath=', `"${exePath}"`, 'start=', 'demand', 'DisplayName=', `svc ${o.name}`));
      }
      if (state.changed) commands.push(sc('description', id, o.description));
      // WinSW reads its XML when the service starts: a changed file needs a restart.
      if (state.changed && state.existed && state.enable && state.restartOnChange) commands.push(wrapper('restart'));
      if (state.enable) commands.push(...enable());
      return commands;
    },
    enableCommands: enable,
    disableCommands: (stopNow) => [...(stopNow ? [stop()] : []), sc('config', id, 'start=', 'demand')],
    // Without stop, Windows marks the service for deletion and removes it once it stops.
    beforeRemoveCommands: (stopNow) => (stopNow ? [stop(), sc('delete', id)] : [sc('delete', id)]),
    afterRemoveCommands: () => [],
    isEnabledCommand: () => ({ ...sc('qc', id), mayFail: 'fails when the service does not exist' }),
    isEnabledFrom: (result) => result.exitCode === 0 && /START_TYPE\s*:\s*2\s+AUTO_START/.test(result.stdout),
  };
}

const ERROR_SERVICE_ALREADY_RUNNING = 1056;
