import type { InstallerWarning, PlannedCommand, PlannedFile, ResolvedInstallerOptions, ServicePlatform, ServiceScope } from './types.js';

/** What the installer knows about the current state when it plans an install. */
export interface InstallState {
  /** The definition file is there but differs from the generated one (or the wrapper differs). */
  changed: boolean;
  /** A definition file was there before. */
  existed: boolean;
  enable: boolean;
  linger: boolean;
  /** Restart a running service whose definition changed (else the change applies at its next start). */
  restartOnChange: boolean;
}

/**
 * One OS service manager. Everything here is pure: it turns resolved options into file contents and
 * command lines; the installer decides what to run and runs it.
 */
export interface Backend {
  platform: ServicePlatform;
  scope: ServiceScope;
  serviceName: string;
  /** The definition file first, then any file it needs (the WinSW executable). */
  files: PlannedFile[];
  warnings: InstallerWarning[];
  installCommands(state: InstallState): PlannedCommand[];
  enableCommands(): PlannedCommand[];
  /** `stop`: stop the running service too. */
  disableCommands(stop: boolean): PlannedCommand[];
  /** Run while the definition file is still there; `stop`: stop the running service too. */
  beforeRemoveCommands(stop: boolean): PlannedCommand[];
  /** Run after the files are gone. */
  afterRemoveCommands(): PlannedCommand[];
  isEnabledCommand(): PlannedCommand;
  /** Reads the result of isEnabledCommand. */
  isEnabledFrom(result: { exitCode: number | null; stdout: string }): boolean;
}

export type BackendFactory = (options: ResolvedInstallerOptions) => Backend;
