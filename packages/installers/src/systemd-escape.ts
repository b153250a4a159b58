/**
 * Escapes a string for use in a unit name exactly as `systemd-escape` does (unit-name.c,
 * do_escape): `/` becomes `-`; ASCII letters, digits, `:`, `_` and `.` stay; every other byte of the
 * UTF-8 encoding becomes `\xNN` (lower-case hex); a leading `.` is escaped too, so no unit is hidden.
 */
export function systemdEscape(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const ch = String.fromCharCode(byte);
    if (i === 0 && ch === '.') out += escapeByte(byte);
    else if (ch === '/') out += '-';
    else if (/^[A-Za-z0-9:_.]$/.test(ch)) out += ch;
    else out += escapeByte(byte);
  }
  return out;
}

function escapeByte(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** systemd refuses unit names longer than this (UNIT_NAME_MAX - 1). */
export const UNIT_NAME_MAX_LENGTH = 255;
