/**
 * Quoting for values in a unit file. What systemd does to a value, in order (systemd.unit(5),
 * systemd.service(5), conf-parser.c):
 *   1. a line ending in an odd number of backslashes continues on the next line;
 *   2. `%` starts a specifier (`%n`, `%h`, ...) in nearly every setting — `%%` is a literal `%`;
 *   3. leading and trailing whitespace of the value is dropped;
 *   4. ExecStart= and Environment= split words and undo C-style escapes inside double quotes;
 *   5. ExecStart= then expands `$VAR` and `${VAR}` at run time — `$$` is a literal `$`.
 * Plain settings (Description=, WorkingDirectory=) have no quoting at all: only 1-3 apply.
 */

/** One word of ExecStart=: always double-quoted, so spaces, quotes, `;`, `#`, `=` and a leading `-` are inert. */
export function quoteExecArg(value: string): string {
  return `"${cEscape(value).replaceAll('%', '%%').replaceAll('$', '$$$$')}"`;
}

/** One Environment= assignment, quoted as a whole. systemd does not expand `$` in Environment=. */
export function quoteEnvironment(name: string, value: string): string {
  return `"${cEscape(`${name}=${value}`).replaceAll('%', '%%')}"`;
}

/**
 * A value of a setting without quoting. The caller has ruled out leading/trailing whitespace where
 * it matters. A value that ends in a backslash gets one trailing space: that stops step 1 (the line
 * no longer ends in a backslash) and step 3 removes the space again.
 */
export function plainValue(value: string): string {
  const escaped = value.replaceAll('%', '%%');
  return escaped.endsWith('\\') ? `${escaped} ` : escaped;
}

function cEscape(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}
