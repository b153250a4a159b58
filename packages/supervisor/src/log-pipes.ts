import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ensurePrivateDir, LineSplitter, RotatingLog } from './log-file.js';
import { stampLine } from './log-line.js';
import type { ResolvedSupervisorOptions } from './options.js';

/** The log files a Supervisor writes to: its own, or a Service's shared by its instances. */
export interface SupervisorLogs {
  stdout: RotatingLog;
  stderr: RotatingLog;
  events: RotatingLog;
}

/** A service's log files: `<base>.{out.log,err.log,events.jsonl}` in `logDir` (created 0700). */
export function openServiceLogs(o: Pick<ResolvedSupervisorOptions, 'logDir' | 'logs'>, base: string): SupervisorLogs {
  ensurePrivateDir(o.logDir);
  const logOptions = { maxSizeBytes: o.logs.maxSizeBytes, maxFiles: o.logs.maxFiles, maxBufferBytes: o.logs.maxBufferBytes };
  const opened: RotatingLog[] = [];
  try {
    for (const suffix of ['out.log', 'err.log', 'events.jsonl']) opened.push(new RotatingLog({ path: join(o.logDir, `${base}.${suffix}`), ...logOptions }));
  } catch (error) {
    for (const log of opened) void log.close();
    throw error;
  }
  return { stdout: opened[0]!, stderr: opened[1]!, events: opened[2]! };
}

export async function closeServiceLogs(logs: SupervisorLogs): Promise<void> {
  await Promise.all([logs.stdout.close(), logs.stderr.close()]);
  await logs.events.close();
}

/** Resolves when every queued line has reached its file (or been counted as dropped). */
export async function flushServiceLogs(logs: SupervisorLogs): Promise<void> {
  await Promise.all([logs.stdout.flush(), logs.stderr.flush(), logs.events.flush()]);
}

/**
 * Reads a child's stdout or stderr line by line into its log file, each line stored with the time
 * it was received (log-line.ts: every line of one read gets that read's time), and hands each line
 * and its time to `onLine` too. While the log is behind (more than `logs.maxBuffer` queued) the
 * pipe is paused, so the child blocks on write, as under journald, and memory stays bounded.
 */
export function pipeOutput(readable: Readable | null, log: RotatingLog, onLine: (line: string, time: string) => void): void {
  if (!readable) return;
  const splitter = new LineSplitter();
  readable.setEncoding('utf8');
  const emitAt = (time: string) => (line: string) => {
    onLine(line, time);
    if (!log.writeLine(stampLine(time, line))) readable.pause();
  };
  const onDrain = () => readable.resume();
  log.on('drain', onDrain);
  readable.on('data', (chunk: string) => splitter.push(chunk, emitAt(new Date().toISOString())));
  readable.on('end', () => splitter.end(emitAt(new Date().toISOString())));
  readable.on('close', () => log.off('drain', onDrain));
  readable.on('error', () => {
    // The pipe broke with the child: the lines already read are logged, nothing else is lost.
  });
}
