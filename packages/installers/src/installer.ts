import { readFile, rm } from 'node:fs/promises';
import { readIfExists, writeFileAtomic } from './atomic-write.js';
import type { Backend, BackendFactory } from './backend.js';
import { INSTALL_DEFAULTS } from './defaults.js';
import { InstallerCommandError, InstallerFileError, InstallerInputError, NotInstalledError } from './errors.js';
import { createLaunchdBackend } from './launchd-plist.js';
import { readLingerStatus, type LingerStatus } from './linger.js';
import { resolveOptions } from './options.js';
import { createSystemdBackend } from './systemd-unit.js';
import type {
  InstallerOptions,
  InstallerWarning,
  PlannedCommand,
  PlannedFile,
  ResolvedInstallerOptions,
  ServicePlatform,
  ServiceScope,
} from './types.js';
import { createWindowsBackend } from './winsw-xml.js';

const BACKENDS: Record<ServicePlatform, BackendFactory> = {
  systemd: createSystemdBackend,
  launchd: createLaunchdBackend,
  windows: createWindowsBackend,
};

/** What generate() returns: the files and the commands of a first install, nothing touched. */
export interface ServiceDefinition {
  platform: ServicePlatform;
  scope: ServiceScope;
  serviceName: string;
  /** Path of the unit / plist / WinSW XML. */
  path: string;
  /** Its exact text. */
  content: string;
  /** Every file an install writes or copies, the definition first. */
  files: PlannedFile[];
  /** Commands a first install with `enable: true` runs after writing the files. */
  commands: PlannedCommand[];
  warnings: InstallerWarning[];
}

export interface ActionOptions {
  /** Write nothing and run nothing; the result says what would be written and run. */
  dryRun?: boolean;
}

export interface InstallActionOptions extends ActionOptions {
  enable?: boolean;
  linger?: boolean;
  /**
   * Restart a running service whose definition changed, so that it runs the new one (default
   * true). false: the change applies at its next start (what a service that hosts others wants).
   */
  restartOnChange?: boolean;
}

/** uninstall() and disable(). */
export interface UninstallActionOptions extends ActionOptions {
  /** Stop the running service too (default true). false: it runs on until it ends; it only no longer starts. */
  stop?: boolean;
}

export type FileChange = PlannedFile | { kind: 'remove'; path: string };

export interface ExecutedCommand extends PlannedCommand {
  /** Set when the command ran (not in a dry run). */
  exitCode?: number | null;
}

export interface ActionResult {
  action: 'install' | 'uninstall' | 'enable' | 'disable';
  dryRun: boolean;
  /** Whether any file was (or, in a dry run, would be) written, copied or removed. */
  changed: boolean;
  serviceName: string;
  files: FileChange[];
  commands: ExecutedCommand[];
  warnings: InstallerWarning[];
  /** systemd user units only. */
  linger?: LingerStatus;
}

export interface Installer {
  readonly platform: ServicePlatform;
  readonly scope: ServiceScope;
  readonly serviceName: string;
  /** Path of the definition file. */
  readonly path: string;
  generate(): ServiceDefinition;
  install(options?: InstallActionOptions): Promise<ActionResult>;
  uninstall(options?: UninstallActionOptions): Promise<ActionResult>;
  enable(options?: ActionOptions): Promise<ActionResult>;
  disable(options?: UninstallActionOptions): Promise<ActionResult>;
  isInstalled(): Promise<boolean>;
  isEnabled(): Promise<boolean>;
  /** Lingering of the unit's user, for systemd user units; undefined elsewhere. */
  lingerStatus(): Promise<LingerStatus | undefined>;
}

/** Generates the definition without touching anything: no file is read or written, no command run. */
export function generate(options: InstallerOptions): ServiceDefinition {
  return createInstaller(options).generate();
}

/** Validates every option (throwing a coded error before anything happens) and returns the installer for that service. */
export function createInstaller(options: InstallerOptions): Installer {
  const o = resolveOptions(options);
  const backend = BACKENDS[o.platform](o);
  const definition = backend.files[0]!;

  const lingerStatus = async (): Promise<LingerStatus | undefined> =>
    o.platform === 'systemd' && o.scope === 'user' ? readLingerStatus(o.lingerDir, o.user) : undefined;
  const isInstalled = async (): Promise<boolean> => (await readIfExists(definition.path)) !== undefined;

  return {
    platform: o.platform,
    scope: o.scope,
    serviceName: backend.serviceName,
    path: definition.path,
    generate: () => ({
      platform: o.platform,
      scope: o.scope,
      serviceName: backend.serviceName,
      path: definition.path,
      content: definition.kind === 'write' ? definition.content : '',
      files: backend.files,
      commands: backend.installCommands({ changed: true, existed: false, enable: true, linger: false, restartOnChange: true }),
      warnings: backend.warnings,
    }),

    async install(actionOptions = {}) {
      const enable = flag('enable', actionOptions.enable, INSTALL_DEFAULTS.enable);
      const linger = flag('linger', actionOptions.linger, INSTALL_DEFAULTS.linger);
      const restartOnChange = flag('restartOnChange', actionOptions.restartOnChange, INSTALL_DEFAULTS.restartOnChange);
      const dryRun = flag('dryRun', actionOptions.dryRun, INSTALL_DEFAULTS.dryRun);
      const existed = await isInstalled();
      const files = await filesToWrite(backend);
      const changed = files.length > 0;
      const commands = backend.installCommands({ changed, existed, enable, linger, restartOnChange });
      const lingerInfo = await lingerStatus();
      const warnings = [...backend.warnings];
      if (lingerInfo && !lingerInfo.enabled && !linger) {
        warnings.push({
          code: 'WLINGER_OFF',
          message: `lingering is off for ${lingerInfo.user}: the service starts when ${lingerInfo.user} logs in, not at boot. Turn it on with \`${lingerInfo.enableCommand}\` (or install with linger: true).`,
          user: lingerInfo.user,
          command: lingerInfo.enableCommand,
        });
      }
      const result: ActionResult = {
        action: 'install',
        dryRun,
        changed,
        serviceName: backend.serviceName,
        files,
        commands,
        warnings,
        ...(lingerInfo ? { linger: lingerInfo } : {}),
      };
      if (dryRun) return result;
      for (const file of files) await applyFile(file);
      result.commands = await runAll(o, commands);
      if (lingerInfo && linger) result.linger = await lingerStatus();
      return result;
    },

    async uninstall(actionOptions = {}) {
      const dryRun = flag('dryRun', actionOptions.dryRun, INSTALL_DEFAULTS.dryRun);
      const stop = flag('stop', actionOptions.stop, INSTALL_DEFAULTS.stop);
      const installed = await isInstalled();
      const files: FileChange[] = [];
      for (const file of backend.files) {
        if ((await readIfExists(file.path)) !== undefined) files.push({ kind: 'remove', path: file.path });
      }
      const before = installed ? backend.beforeRemoveCommands(stop) : [];
      const after = installed ? backend.afterRemoveCommands() : [];
      const result: ActionResult = {
        action: 'uninstall',
        dryRun,
        changed: files.length > 0,
        serviceName: backend.serviceName,
        files,
        commands: [...before, ...after],
        warnings: [],
      };
      if (dryRun) return result;
      const ranBefore = await runAll(o, before);
      for (const file of files) await applyFile(file);
      result.commands = [...ranBefore, ...(await runAll(o, after))];
      return result;
    },

    enable: (actionOptions = {}) => toggle('enable', actionOptions, backend.enableCommands()),
    disable: (actionOptions = {}) => toggle('disable', actionOptions, backend.disableCommands(flag('stop', actionOptions.stop, INSTALL_DEFAULTS.stop))),

    isInstalled,
    async isEnabled() {
      if (!(await isInstalled())) return false;
      const command = backend.isEnabledCommand();
      const [ran] = await runAll(o, [command]);
      return backend.isEnabledFrom({ exitCode: ran!.exitCode ?? null, stdout: ran!.stdout });
    },
    lingerStatus,
  };

  async function toggle(action: 'enable' | 'disable', actionOptions: ActionOptions, commands: PlannedCommand[]): Promise<ActionResult> {
    const dryRun = flag('dryRun', actionOptions.dryRun, INSTALL_DEFAULTS.dryRun);
    if (!(await isInstalled())) {
      throw new NotInstalledError(`cannot ${action} ${backend.serviceName}: ${definition.path} does not exist. Install the service first.`, {
        path: definition.path,
        serviceName: backend.serviceName,
      });
    }
    const result: ActionResult = { action, dryRun, changed: false, serviceName: backend.serviceName, files: [], commands, warnings: [] };
    if (!dryRun) result.commands = await runAll(o, commands);
    return result;
  }
}

/** The planned files whose bytes differ from what is on disk: an identical re-install writes nothing. */
async function filesToWrite(backend: Backend): Promise<PlannedFile[]> {
  const out: PlannedFile[] = [];
  for (const file of backend.files) {
    const current = await readIfExists(file.path);
    const wanted = file.kind === 'write' ? Buffer.from(file.content, 'utf8') : await readSource(file.from);
    if (current === undefined || !current.equals(wanted)) out.push(file);
  }
  return out;
}

async function readSource(from: string): Promise<Buffer> {
  try {
    return await readFile(from);
  } catch (error) {
    throw new InstallerInputError('EINVALID_PATH', `cannot read ${from}: ${(error as Error).message}. Check windowsWrapperPath.`, {
      field: 'windowsWrapperPath',
      value: from,
      cause: error,
    });
  }
}

async function applyFile(file: FileChange): Promise<void> {
  try {
    if (file.kind === 'remove') await rm(file.path, { force: true });
    else if (file.kind === 'write') await writeFileAtomic(file.path, file.content, file.mode);
    else await writeFileAtomic(file.path, await readSource(file.from), file.mode);
  } catch (error) {
    if (error instanceof InstallerInputError) throw error;
    const verb = file.kind === 'remove' ? 'remove' : 'write';
    throw new InstallerFileError(`cannot ${verb} ${file.path}: ${(error as Error).message}. A system service needs root (sudo) or an administrator.`, {
      path: file.path,
      cause: error,
    });
  }
}

interface RanCommand extends ExecutedCommand {
  stdout: string;
}

async function runAll(o: ResolvedInstallerOptions, commands: PlannedCommand[]): Promise<RanCommand[]> {
  const ran: RanCommand[] = [];
  for (const command of commands) {
    let result;
    try {
      result = await o.runner(command.file, command.args);
    } catch (error) {
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new InstallerCommandError(
        notFound ? 'ECOMMAND_NOT_FOUND' : 'ECOMMAND_FAILED',
        `${command.display} could not run: ${(error as Error).message}.${notFound ? ` Is ${command.file} installed and on PATH?` : ''}`,
        { command: command.display, exitCode: null, stdout: '', stderr: '', cause: error },
      );
    }
    const ok = result.exitCode === 0 || (result.exitCode !== null && (command.okExitCodes ?? []).includes(result.exitCode));
    if (!ok && command.mayFail === undefined) {
      throw new InstallerCommandError(
        'ECOMMAND_FAILED',
        `${command.display} failed with ${result.exitCode === null ? 'a signal' : `exit code ${result.exitCode}`}: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`,
        { command: command.display, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr },
      );
    }
    ran.push({ ...command, exitCode: result.exitCode, stdout: result.stdout });
  }
  return ran;
}

function flag(field: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InstallerInputError('EINVALID_OPTION', `${field} is ${String(value)}; expected true or false.`, { field, value: String(value) });
  }
  return value;
}
