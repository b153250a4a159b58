import { MAX_NAME_BYTES } from './defaults.js';
import { LockOptionsError } from './errors.js';

/**
 * A lock name becomes a file name, so it may not escape its directory or be one the file system
 * treats specially. Refused: empty, `/` or `\`, NUL or other control characters, `.` and `..`,
 * a leading `.` (our own temp and claim entries start with one), and more than 200 UTF-8 bytes.
 */
export function validateLockName(name: unknown): string {
  const expected = `a non-empty file name of at most ${MAX_NAME_BYTES} bytes without "/", "\\", control characters or a leading "."`;
  if (typeof name !== 'string' || name.length === 0) throw new LockOptionsError('EINVALID_NAME', 'lock name', name, expected);
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f]/.test(name) || name.startsWith('.') || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new LockOptionsError('EINVALID_NAME', 'lock name', name, expected);
  }
  return name;
}
