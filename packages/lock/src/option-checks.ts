import { LockOptionsError } from './errors.js';

/*
 * The checks every lock backend applies to the options they share (file, Redis, PostgreSQL), so
 * a bad value gets the same coded error whichever backend is asked.
 */

export function integer(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new LockOptionsError('EINVALID_OPTIONS', option, value, `an integer ≥ ${min} (milliseconds)`);
  }
  return value;
}

export function checkOptionsObject(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'options', options, 'an object with at least { name }');
  }
}

/** The holder's published metadata: a plain, JSON-serialisable object. */
export function checkMetadata(metadata: unknown): Record<string, unknown> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'metadata', metadata, 'a plain object');
  }
  try {
    JSON.stringify(metadata);
  } catch (error) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'metadata', `(${(error as Error).message})`, 'a JSON-serialisable object');
  }
  return metadata as Record<string, unknown>;
}

export function checkSignal(signal: unknown): void {
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'signal', signal, 'an AbortSignal');
  }
}

export function checkCallback(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new LockOptionsError('EINVALID_OPTIONS', option, value, 'a function');
}
