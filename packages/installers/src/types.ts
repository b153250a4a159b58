import type { CommandRunner } from './runner.js';
import type { WARNING_CODES } from './warnings.js';

export type ServicePlatform = 'systemd' | 'launchd' | 'windows';
export type ServiceScope = 'user' | 'system';

export interface InstallerOptions {
  /** The svc service name, as in the config file. Any text without control characters. */
  name: string;
  /** One line shown by the service manager. Default: `svc service <name>`. */
  description?: string;
  /** Absolute path of the node binary that runs the svc CLI. */
  nodePath: string;
  /** Absolute path of the svc CLI entry script. */
  svcEntry: string;
  /** Options for node itself, between node and the entry (`--max-semi-space-size=8`). Default: none. */
  nodeArgs?: string[];
  /** Absolute path of the config file, passed as `--config`. */
  configPath?: string;
  /**
   * The svc arguments the OS manager runs, after node and the entry. Default: `run <name>`
   * (with `--config <configPath>`), one svc daemon in the foreground for one service.
   */
  args?: string[];
  /** Absolute working directory of the service. */
  workingDirectory: string;
  /** Environment variables of the service. */
  env?: Record<string, string>;
  /** The service's own stop timeout; the OS manager waits this plus DEFAULTS.stopMarginMs. */
  stopTimeoutMs: number;
  /** System-wide service (root) instead of a per-user one. */
  system?: boolean;
  /** System units: the account the service runs as. User units: whose lingering is checked. */
  user?: string;
  /** Directory for stdout/stderr files. systemd: the journal when not set. */
  logDir?: string;
  /** Default: from process.platform (linux → systemd, darwin → launchd, win32 → windows). */
  platform?: ServicePlatform;
  /** Directory the definition file goes into (defaults per platform and scope). */
  unitDir?: string;
  /** Home directory for user-level paths. Default: os.homedir(). */
  homeDir?: string;
  /** systemd-logind's linger flag directory. */
  lingerDir?: string;
  /** launchd: uid of the gui/<uid> domain. Default: process.getuid(). */
  uid?: number;
  /** Windows: absolute path of the WinSW executable, copied next to the XML as <service>.exe. */
  windowsWrapperPath?: string;
  /** Runs systemctl, launchctl, loginctl, sc.exe. Default: execFile without a shell. */
  runner?: CommandRunner;
}

export interface ResolvedInstallerOptions {
  platform: ServicePlatform;
  scope: ServiceScope;
  /** `system: true` was given (Windows services are system-wide either way). */
  systemRequested: boolean;
  name: string;
  description: string;
  nodePath: string;
  svcEntry: string;
  configPath: string | undefined;
  workingDirectory: string;
  /** Sorted by name, so that the same variables always give the same file. */
  env: Array<[string, string]>;
  stopTimeoutMs: number;
  user: string;
  logDir: string | undefined;
  unitDir: string;
  homeDir: string;
  lingerDir: string;
  uid: number;
  windowsWrapperPath: string | undefined;
  runner: CommandRunner;
  /** The OS-level name: `svc-api.service`, launchd label `svc-api`, Windows service `svc-api`. */
  serviceName: string;
  /** The full argv the OS manager starts: node, `nodeArgs`, the entry, then `args` (default `run`, name and `--config`). */
  argv: string[];
}

export interface PlannedCommand {
  file: string;
  args: string[];
  /** The command as a user would type it (POSIX shell or Windows quoting). */
  display: string;
  /** Exit codes that count as success besides 0. */
  okExitCodes?: number[];
  /** When set, a failure is expected in some states and ignored; says which. */
  mayFail?: string;
}

export type PlannedFile =
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'copy'; path: string; from: string; mode: number };

export type InstallerWarningCode = (typeof WARNING_CODES)[number];

export interface InstallerWarning {
  code: InstallerWarningCode;
  message: string;
  [key: string]: unknown;
}
