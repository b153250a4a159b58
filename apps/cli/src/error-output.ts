/*
 * How any error is shown, apart from oclif: the command framework's `catch` and the quick paths
 * (bin/run.js without oclif) print errors the same way.
 */

/** Any error from an @svc/* package or the CLI (a daemon's, through @svc/ipc, too): branded with Symbol.for('svc.<pkg>.error'). */
export function isSvcError(error: unknown): error is Error & { code: string } {
  if (typeof error !== 'object' || error === null) return false;
  return Object.getOwnPropertySymbols(error).some((s) => /^svc\.[a-z-]+\.error$/.test(s.description ?? ''));
}

/** The data of an error as `--json` shows it: code, message, and its own enumerable fields (a remote error's data too). */
export function errorJson(error: Error & { code?: unknown }): { error: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    // `name` is the class's (CliError): what the error is, is its code.
    if (key === 'cause' || key === 'name' || typeof value === 'function') continue;
    data[key] = value;
  }
  return { error: { ...data, code: typeof error.code === 'string' ? error.code : 'EUNKNOWN', message: error.message } };
}

/** The lines a person sees for an error: `Error: <message>`, then its details. */
export function errorLines(error: Error): string[] {
  const { details, logTail, logFile } = error as { details?: unknown; logTail?: unknown; logFile?: unknown };
  const lines = [`Error: ${error.message}`, ...(Array.isArray(details) ? details.map(String) : [])];
  // A daemon that could not start: the end of its own log says why.
  if (Array.isArray(logTail) && logTail.length > 0) lines.push(`last lines of ${String(logFile)}:`, ...logTail.map((l) => `  ${String(l)}`));
  return lines;
}
