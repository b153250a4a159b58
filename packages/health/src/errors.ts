/**
 * Every code a `HealthError` can carry. The docs page's `## Errors` table lists the same codes;
 * test/docs.test.ts keeps the two in step.
 */
export const ERROR_CODES = [
  'EHEALTH_INVALID_OPTION',
  'EHEALTH_INVALID_CHECK',
  'EHEALTH_DUPLICATE_CHECK',
  'EHEALTH_INVALID_STATE',
  'EHEALTH_NOTIFY_FAILED',
  'EHEALTH_CLOSED',
] as const;

export type HealthErrorCode = (typeof ERROR_CODES)[number];

// A Symbol.for brand, not instanceof: the ESM and CJS builds are two copies of this class when an
// app loads both, and instanceof fails across them.
const BRAND = Symbol.for('svc.health.error');

export class HealthError extends Error {
  readonly code: HealthErrorCode;

  constructor(code: HealthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HealthError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Thrown by `createHealth`, `addCheck` and `instrument` for an option that is missing, of the wrong type or out of range. */
export class InvalidOptionError extends HealthError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string, cause?: unknown) {
    super('EHEALTH_INVALID_OPTION', `@svc/health: option "${option}" is ${describe(value)}; expected ${expected}.`, cause === undefined ? undefined : { cause });
    this.name = 'InvalidOptionError';
    this.option = option;
    this.value = value;
  }
}

/** A check's name or function is unusable. */
export class InvalidCheckError extends HealthError {
  readonly checkName: unknown;

  constructor(checkName: unknown, problem: string) {
    super('EHEALTH_INVALID_CHECK', `@svc/health: check ${describe(checkName)}: ${problem}.`);
    this.name = 'InvalidCheckError';
    this.checkName = checkName;
  }
}

export class DuplicateCheckError extends HealthError {
  readonly checkName: string;

  constructor(checkName: string) {
    super(
      'EHEALTH_DUPLICATE_CHECK',
      `@svc/health: a check named "${checkName}" is already registered; pick another name or removeCheck("${checkName}") first.`,
    );
    this.name = 'DuplicateCheckError';
    this.checkName = checkName;
  }
}

/** An unknown state, or a transition that goes backwards (states only move forward). */
export class InvalidStateError extends HealthError {
  readonly from: string;
  readonly to: unknown;

  constructor(from: string, to: unknown, expected: string) {
    super('EHEALTH_INVALID_STATE', `@svc/health: cannot move from state "${from}" to ${describe(to)}; expected ${expected}.`);
    this.name = 'InvalidStateError';
    this.from = from;
    this.to = to;
  }
}

/** The supervisor could not be told (socket refused, IPC channel closed, systemd-notify missing or failed). */
export class NotifyError extends HealthError {
  readonly via: string;
  readonly line: string;

  constructor(via: string, line: string, reason: string, cause?: unknown) {
    super('EHEALTH_NOTIFY_FAILED', `@svc/health: could not send ${line} to the supervisor via ${via}: ${reason}.`, { cause });
    this.name = 'NotifyError';
    this.via = via;
    this.line = line;
  }
}

export class ClosedError extends HealthError {
  readonly operation: string;

  constructor(operation: string) {
    super('EHEALTH_CLOSED', `@svc/health: ${operation}() called after close(); create a new handle instead.`);
    this.name = 'ClosedError';
    this.operation = operation;
  }
}

export function isHealthError(value: unknown): value is HealthError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'symbol') return value.toString();
  return `${value as string | number | boolean | bigint | undefined}`;
}
