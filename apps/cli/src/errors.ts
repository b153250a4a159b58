/** Every code the CLI itself raises (errors from the packages keep their own codes). */
export const ERROR_CODES = ['ECONFIG', 'ECONFIG_NOT_FOUND', 'EDAEMON_RUNNING', 'ENODE_VERSION', 'ENOT_RUNNING', 'ESTART_FAILED', 'ERELOAD_FAILED', 'EUNHEALTHY', 'EUSAGE', 'ETIMEOUT', 'EIMPORT_READ', 'EIMPORT_EXISTS'] as const;
export type CliErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('svc.cli.error');

export class CliError extends Error {
  readonly code: CliErrorCode;
  /** Extra lines shown under the message (a log tail, a hint). */
  readonly details: string[];

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown; details?: string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.details = options?.details ?? [];
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isCliError(error: unknown): error is CliError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** One problem of a config file: its key path, what is wrong, and the value found. */
export interface ConfigProblem {
  path: string;
  message: string;
  value?: unknown;
}

/** A config file that cannot be used: names the file, the key path, the bad value and what was expected. */
export class ConfigError extends CliError {
  readonly file: string;
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `  ${p.path || '(top level)'}: ${p.message}${p.value === undefined ? '' : ` (got ${show(p.value)})`}`);
    super('ECONFIG', `invalid config ${file}:\n${lines.join('\n')}`, options);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
