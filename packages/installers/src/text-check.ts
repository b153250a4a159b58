import { InstallerInputError } from './errors.js';

// C0 controls (NUL, tab, CR, LF, ESC, ...), DEL and the C1 range. None of them can be written
// into a unit file, a plist or a WinSW file so that it means the same thing everywhere: LF ends a
// directive in a unit file, NUL ends a C string, XML 1.0 cannot hold most of them at all.
// eslint-disable-next-line no-control-regex -- finding control characters is the purpose of this pattern
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Half of a UTF-16 surrogate pair: has no UTF-8 encoding, so it cannot be written to a file as given.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws ECONTROL_CHARACTER when `value` holds a control character, EUNREPRESENTABLE when it is not valid Unicode. */
export function checkText(field: string, value: string): string {
  const match = CONTROL.exec(value);
  if (match) {
    const codePoint = match[0].codePointAt(0)!;
    const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InstallerInputError(
      'ECONTROL_CHARACTER',
      `${field} contains the control character ${hex} at index ${match.index}; control characters (tab, CR, LF, NUL, ...) cannot be written into a service definition safely. Remove it.`,
      { field, value, index: match.index, character: hex },
    );
  }
  if (LONE_SURROGATE.test(value)) {
    throw new InstallerInputError('EUNREPRESENTABLE', `${field} is not valid Unicode (it holds a lone surrogate). Pass a well-formed string.`, {
      field,
      value,
    });
  }
  return value;
}
