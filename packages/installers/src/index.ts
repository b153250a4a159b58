export { createInstaller, generate } from './installer.js';
export type { ActionOptions, ActionResult, ExecutedCommand, FileChange, InstallActionOptions, UninstallActionOptions, Installer, ServiceDefinition } from './installer.js';
export type {
  InstallerOptions,
  InstallerWarning,
  InstallerWarningCode,
  PlannedCommand,
  PlannedFile,
  ResolvedInstallerOptions,
  ServicePlatform,
  ServiceScope,
} from './types.js';
export { DEFAULTS, INSTALL_DEFAULTS } from './defaults.js';
export { WARNING_CODES } from './warnings.js';
export {
  ERROR_CODES,
  InstallerCommandError,
  InstallerError,
  InstallerFileError,
  InstallerInputError,
  NotInstalledError,
  isInstallerError,
} from './errors.js';
export type { CommandErrorDetails, InstallerErrorCode, InstallerErrorDetails } from './errors.js';
export { execFileRunner } from './runner.js';
export type { CommandResult, CommandRunner } from './runner.js';
export { readLingerStatus } from './linger.js';
export type { LingerStatus } from './linger.js';
export { systemdEscape } from './systemd-escape.js';
export { detectVersionManager } from './version-manager.js';
export type { VersionManager, VersionManagerMatch } from './version-manager.js';
