import { statSync } from 'node:fs';
import path from 'node:path';
import { emptyLog, logFiles, type DaemonConnection, type LogsStream } from '@svc/supervisor/client';
import { isGone } from './logs-history.js';
import { fileStreams } from './logs-query.js';
import { logFile, type LogTarget } from './logs-targets.js';
import { formatBytes } from './output.js';

/*
 * `svc logs --flush` (PM2's `pm2 flush`): empties services' stdout and stderr logs, the current
 * file and the rotated ones. A service the daemon runs is flushed by the daemon, once its writer
 * has caught up: the current file is truncated under the writer, which goes on at its start, so
 * no line printed after the flush is lost and a `svc logs -f` running meanwhile keeps following.
 * The event log is kept.
 */

export interface Flushed {
  service: string;
  /** The files emptied (the current ones) or removed (the rotated ones). */
  files: string[];
  /** What they held. */
  bytes: number;
}

/** By the daemon, once its writer has caught up; false when it no longer hosts the service (stopped since it was listed). */
async function flushedByDaemon(connection: DaemonConnection, target: LogTarget, stream: LogsStream): Promise<boolean> {
  try {
    await new Promise<void>((resolve, reject) => {
      connection.client
        .subscribe('logs', { project: target.project, service: target.name, stream, lines: 0, follow: false, flush: true }, () => undefined, {
          onEnd: (error) => (error ? reject(error) : resolve()),
        })
        .catch(reject);
    });
    return true;
  } catch (error) {
    if (isGone(error)) return false;
    throw error;
  }
}

/** No writer to go round (the service does not run): the files are emptied here. */
function emptyFiles(target: LogTarget, stream: LogsStream): void {
  for (const s of fileStreams(stream)) emptyLog(logFile(target, s));
}

export async function flushLogs(connection: DaemonConnection | null, targets: LogTarget[], stream: LogsStream): Promise<Flushed[]> {
  const flushed: Flushed[] = [];
  for (const target of targets) {
    const files = fileStreams(stream).flatMap((s) => logFiles(logFile(target, s)));
    const bytes = files.reduce((sum, file) => sum + (statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0);
    if (!(target.hosted && connection && (await flushedByDaemon(connection, target, stream)))) emptyFiles(target, stream);
    flushed.push({ service: target.name, files, bytes });
  }
  return flushed;
}

/** `api: flushed 1.2 MB (api.out.log, api.err.log and 3 rotated files)`. */
export function flushedLine(f: Flushed): string {
  const current = f.files.filter((file) => !/\.\d+$/.test(file)).map((file) => path.basename(file));
  const rotated = f.files.length - current.length;
  const what = [...current, ...(rotated > 0 ? [`${rotated} rotated file${rotated === 1 ? '' : 's'}`] : [])];
  if (what.length === 0) return `${f.service}: nothing to flush`;
  const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
  return `${f.service}: flushed ${formatBytes(f.bytes)} (${list})`;
}
