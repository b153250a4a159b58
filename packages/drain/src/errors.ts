/**
 * Every error @svc/drain throws or reports. Codes are stable: the docs page's error table and a
 * test keep them in step with this list.
 */
export const ERROR_CODES = [
  'EDRAIN_OPTIONS',
  'EDRAIN_ENV',
  'EDRAIN_HOOK',
  'EDRAIN_HOOK_FAILED',
  'EDRAIN_HOOK_TIMEOUT',
  'EDRAIN_UNINSTALLED',
  'EDRAIN_LISTEN_FDS',
  'EDRAIN_LISTEN_HANDOFF',
  'EDRAIN_LISTEN',
] as const;

export type DrainErrorCode = (typeof ERROR_CODES)[number];

// One brand shared by the ESM and CJS copies of this package: `instanceof` fails across them.
const BRAND = Symbol.for('svc.drain.error');

export class DrainError extends Error {
  readonly code: DrainErrorCode;

  constructor(code: DrainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrainError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isDrainError(value: unknown): value is DrainError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** An option given to `createDrain()` or `listen()` is missing, of the wrong type or out of range. */
export class DrainOptionsError extends DrainError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super('EDRAIN_OPTIONS', `Invalid option ${option}: got ${describe(value)}, expected ${expected}.`);
    this.name = 'DrainOptionsError';
    this.option = option;
    this.value = value;
  }
}

/** A variable the supervisor (or systemd) put in the environment cannot be read. */
export class DrainEnvError extends DrainError {
  readonly variable: string;
  readonly value: string;

  constructor(code: 'EDRAIN_ENV' | 'EDRAIN_LISTEN_FDS', variable: string, value: string, expected: string) {
    super(code, `Invalid environment variable ${variable}=${JSON.stringify(value)}: expected ${expected}.`);
    this.name = 'DrainEnvError';
    this.variable = variable;
    this.value = value;
  }
}

/** A shutdown hook was registered wrongly, failed or ran past its timeout. */
export class DrainHookError extends DrainError {
  readonly hook: string;
  readonly timeoutMs: number | undefined;

  constructor(
    code: 'EDRAIN_HOOK' | 'EDRAIN_HOOK_FAILED' | 'EDRAIN_HOOK_TIMEOUT',
    hook: string,
    message: string,
    options?: { cause?: unknown; timeoutMs?: number },
  ) {
    super(code, message, options);
    this.name = 'DrainHookError';
    this.hook = hook;
    this.timeoutMs = options?.timeoutMs;
  }
}

/** The handle was used after `uninstall()`. */
export class DrainUninstalledError extends DrainError {
  constructor(action: string) {
    super('EDRAIN_UNINSTALLED', `Cannot ${action}: this drain handle was uninstalled. Create a new one with createDrain().`);
    this.name = 'DrainUninstalledError';
  }
}

/** `listen()` could not obtain or bind the listening socket. */
export class DrainListenError extends DrainError {
  readonly source: 'ipc' | 'systemd' | 'port';

  constructor(
    code: 'EDRAIN_LISTEN_HANDOFF' | 'EDRAIN_LISTEN',
    source: 'ipc' | 'systemd' | 'port',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'DrainListenError';
    this.source = source;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch (error) {
    // Circular or otherwise unserialisable input: its type is all the message needs.
    void error;
    return `a ${typeof value}`;
  }
}
