/**
 * Quoting of one argument for a Windows command line, the inverse of the rules of
 * CommandLineToArgvW and the MSVC runtime: backslashes are literal except before a double quote,
 * where 2n backslashes + `"` mean n backslashes and an opening/closing quote, and 2n+1 backslashes
 * + `"` mean n backslashes and a literal `"`. Arguments without space, tab or quote stay bare.
 */
export function quoteWindowsArg(value: string): string {
  if (value !== '' && !/[ \t"]/.test(value)) return value;
  let out = '"';
  let backslashes = 0;
  for (const ch of value) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(backslashes * 2 + 1) + '"';
    else out += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

export function windowsCommandLine(args: readonly string[]): string {
  return args.map(quoteWindowsArg).join(' ');
}

/**
 * A Windows service name may not hold `/` or `\` and is compared case-insensitively, so the name is
 * escaped reversibly: ASCII letters, digits, `.` and `-` stay, every other UTF-8 byte becomes `_xx`.
 */
export function windowsEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9.-]$/.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The Service Control Manager's limit on a service name. */
export const WINDOWS_SERVICE_NAME_MAX_LENGTH = 256;
