/**
 * Every error this package throws is an InstallerError with a stable `code`. The codes are data
 * (ERROR_CODES) so the docs' error table can be checked against them.
 */
export const ERROR_CODES = [
  'ECONTROL_CHARACTER',
  'EINVALID_NAME',
  'EINVALID_PATH',
  'EINVALID_ENV_NAME',
  'EINVALID_USER',
  'EINVALID_OPTION',
  'EUNREPRESENTABLE',
  'ENOT_INSTALLED',
  'EWRITE_FAILED',
  'ECOMMAND_NOT_FOUND',
  'ECOMMAND_FAILED',
] as const;

export type InstallerErrorCode = (typeof ERROR_CODES)[number];

// Symbol.for so that the brand is shared between the ESM and CJS copies of this package,
// where `instanceof` would fail.
const BRAND = Symbol.for('svc.installers.error');

export interface InstallerErrorDetails {
  /** The option or field the error is about, e.g. `env.PATH` or `args[2]`. */
  field?: string;
  /** The offending value, as given. */
  value?: string;
  cause?: unknown;
  [key: string]: unknown;
}

export class InstallerError extends Error {
  readonly code: InstallerErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: InstallerErrorCode, message: string, details: InstallerErrorDetails = {}) {
    const { cause, ...data } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'InstallerError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    Object.assign(this, data);
  }
}

type InputCode = 'ECONTROL_CHARACTER' | 'EINVALID_NAME' | 'EINVALID_PATH' | 'EINVALID_ENV_NAME' | 'EINVALID_USER' | 'EINVALID_OPTION' | 'EUNREPRESENTABLE';

/** Bad input: thrown by normalisation, before anything is written or run. */
export class InstallerInputError extends InstallerError {
  constructor(code: InputCode, message: string, details: InstallerErrorDetails = {}) {
    super(code, message, details);
    this.name = 'InstallerInputError';
  }
}

/** enable/disable of a service whose definition file is not there. */
export class NotInstalledError extends InstallerError {
  constructor(message: string, details: InstallerErrorDetails = {}) {
    super('ENOT_INSTALLED', message, details);
    this.name = 'NotInstalledError';
  }
}

/** Writing, copying or removing a definition file failed (usually permissions). */
export class InstallerFileError extends InstallerError {
  constructor(message: string, details: InstallerErrorDetails & { path: string }) {
    super('EWRITE_FAILED', message, details);
    this.name = 'InstallerFileError';
  }
}

export interface CommandErrorDetails extends InstallerErrorDetails {
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** A service-manager command (systemctl, launchctl, sc.exe, loginctl) could not run or failed. */
export class InstallerCommandError extends InstallerError {
  constructor(code: 'ECOMMAND_NOT_FOUND' | 'ECOMMAND_FAILED', message: string, details: CommandErrorDetails) {
    super(code, message, details);
    this.name = 'InstallerCommandError';
  }
}

export function isInstallerError(error: unknown): error is InstallerError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
