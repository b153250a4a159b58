import { readLogTail } from './log-read.js';

/**
 * The last `lines` lines of a rotating log, read back through its rotated files as far as it
 * takes, as the service printed them: the receive time each output line is stored with
 * (log-line.ts) is taken off. A file without times (the daemon's own log, one written before svc
 * kept them) reads as it is.
 */
export function tailLog(path: string, lines: number): string[] {
  return readLogTail(path, { lines }).map((entry) => entry.line);
}
