import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import type { Backend, InstallState } from './backend.js';
import { posixCommandLine } from './posix-quote.js';
import { plainValue, quoteEnvironment, quoteExecArg } from './systemd-quote.js';
import type { InstallerWarning, PlannedCommand, ResolvedInstallerOptions } from './types.js';
import { detectVersionManager } from './version-manager.js';
import { versionManagerWarning } from './version-manager-warning.js';

// Hardening for system units that Node tolerates. MemoryDenyWriteExecute is left out on purpose:
// V8's JIT maps memory writable and executable, and Node aborts under it. ProtectHome is left out
// because services commonly live (and write) under /home.
const SYSTEM_HARDENING = [
  'ProtectSystem=full',
  'ProtectKernelTunables=yes',
  'ProtectKernelModules=yes',
  'ProtectControlGroups=yes',
  'RestrictSUIDSGID=yes',
  'RestrictRealtime=yes',
  'LockPersonality=yes',
  'SystemCallArchitectures=native',
];

const TEMP_DIRS = ['/tmp', '/var/tmp'];

export function renderSystemdUnit(o: ResolvedInstallerOptions): { content: string; warnings: InstallerWarning[] } {
  const warnings: InstallerWarning[] = [];
  const system = o.scope === 'system';
  const unit = [
    '[Unit]',
    `Description=${plainValue(o.description)}`,
    ...(system ? ['Wants=network-online.target', 'After=network-online.target'] : []),
    `StartLimitIntervalSec=${seconds(DEFAULTS.startLimitIntervalMs)}`,
    `StartLimitBurst=${DEFAULTS.startLimitBurst}`,
  ];

  const service = [
    '[Service]',
    // exec: the unit fails at once when the binary cannot be started, unlike simple.
    'Type=exec',
    `ExecStart=${o.argv.map(quoteExecArg).join(' ')}`,
    // SIGHUP makes the svc daemon reload its services: zero-downtime with `listen`, else a restart.
    'ExecReload=/bin/kill -HUP $MAINPID',
    `WorkingDirectory=${plainValue(o.workingDirectory)}`,
    ...o.env.map(([key, value]) => `Environment=${quoteEnvironment(key, value)}`),
    ...(system ? [`User=${o.user}`] : []),
    // The supervisor restarts the service itself, with backoff and crash-loop detection. systemd
    // only brings the supervisor back when it dies, and gives up under StartLimitBurst.
    'Restart=on-failure',
    `RestartSec=${seconds(DEFAULTS.restartDelayMs)}`,
    `TimeoutStopSec=${seconds(o.stopTimeoutMs + DEFAULTS.stopMarginMs)}`,
    // SIGTERM to the supervisor alone, which stops its services gracefully (each drains once);
    // whatever is left when it has exited, or at TimeoutStopSec, is killed with the whole group.
    // `control-group` would send every service SIGTERM too: a second one, which aborts a drain.
    'KillMode=mixed',
  ];
  if (o.logDir !== undefined) {
    const logFile = path.posix.join(o.logDir, `${o.serviceName.replace(/\.service$/, '')}.log`);
    service.push(`StandardOutput=${plainValue(`append:${logFile}`)}`, `StandardError=${plainValue(`append:${logFile}`)}`);
  }
  service.push('NoNewPrivileges=yes');
  if (system) {
    const inTemp = [o.workingDirectory, o.svcEntry, o.configPath, o.logDir].find(
      (p) => p !== undefined && TEMP_DIRS.some((dir) => p === dir || p.startsWith(`${dir}/`)),
    );
    if (inTemp === undefined) service.push('PrivateTmp=yes');
    else {
      warnings.push({
        code: 'WPRIVATE_TMP_OFF',
        message: `PrivateTmp= is off because ${inTemp} is under a temporary directory the service would not see with it. Move the service out of /tmp for the full hardening.`,
        path: inTemp,
      });
    }
    service.push(...SYSTEM_HARDENING);
  }

  const install = ['[Install]', `WantedBy=${system ? 'multi-user.target' : 'default.target'}`];
  const header = ['# Written by svc install; the next svc install overwrites changes made here.'];
  const content = `${[header, unit, service, install].map((section) => section.join('\n')).join('\n\n')}\n`;
  return { content, warnings };
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function createSystemdBackend(o: ResolvedInstallerOptions): Backend {
  const { content, warnings } = renderSystemdUnit(o);
  const manager = versionManagerWarning(detectVersionManager(o.nodePath), o.nodePath);
  if (manager) warnings.unshift(manager);
  const unit = o.serviceName;
  const systemctl = (...args: string[]): PlannedCommand => command('systemctl', o.scope === 'user' ? ['--user', ...args] : args);

  return {
    platform: 'systemd',
    scope: o.scope,
    serviceName: unit,
    files: [{ kind: 'write', path: path.join(o.unitDir, unit), content, mode: 0o644 }],
    warnings,
    installCommands(state: InstallState) {
      const commands: PlannedCommand[] = [];
      if (state.changed) commands.push(systemctl('daemon-reload'));
      // A running service picks up a changed unit only when restarted; try-restart leaves a stopped one alone.
      if (state.changed && state.existed && state.restartOnChange) commands.push(systemctl('try-restart', unit));
      if (state.enable) commands.push(systemctl('enable', '--now', unit));
      if (state.linger && o.scope === 'user') commands.push(command('loginctl', ['enable-linger', o.user]));
      return commands;
    },
    enableCommands: () => [systemctl('enable', '--now', unit)],
    disableCommands: (stop) => [stop ? systemctl('disable', '--now', unit) : systemctl('disable', unit)],
    beforeRemoveCommands: (stop) => [stop ? systemctl('disable', '--now', unit) : systemctl('disable', unit)],
    afterRemoveCommands: () => [
      systemctl('daemon-reload'),
      { ...systemctl('reset-failed', unit), mayFail: 'there is nothing to reset when the unit never failed' },
    ],
    isEnabledCommand: () => ({ ...systemctl('is-enabled', unit), mayFail: 'exits 1 when the unit is disabled' }),
    isEnabledFrom: (result) => result.exitCode === 0 && result.stdout.trim() === 'enabled',
  };
}

function command(file: string, args: string[]): PlannedCommand {
  return { file, args, display: posixCommandLine([file, ...args]) };
}
