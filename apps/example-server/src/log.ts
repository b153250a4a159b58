/**
 * One line per event: progress on stdout, trouble on stderr, both read by svc's log files. The
 * server writes through these two functions only.
 */
export function logInfo(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function logError(message: string): void {
  process.stderr.write(`${message}\n`);
}

function withData(message: string, data: unknown): string {
  return data === undefined ? message : `${message} ${JSON.stringify(data)}`;
}

/** @svc/drain's logger, so that each phase of a graceful stop shows in the service's log. */
export const drainLogger = {
  info: (message: string, data?: unknown): void => logInfo(withData(`drain: ${message}`, data)),
  warn: (message: string, data?: unknown): void => logError(withData(`drain: ${message}`, data)),
  error: (message: string, data?: unknown): void => logError(withData(`drain: ${message}`, data)),
};
