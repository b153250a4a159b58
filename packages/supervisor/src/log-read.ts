import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { parseStoredLine, timeMs, type StoredLine } from './log-line.js';

const CHUNK = 64 * 1024;
/** Opening the rotated files is tried again this many times when a rotation renames them meanwhile. */
const OPEN_TRIES = 5;

export interface TailOptions {
  /** The last this many lines (that `keep` keeps). */
  lines: number;
  /** Only lines received at or after this time (ms since the epoch); lines without a time are older. */
  sinceMs?: number;
  /** Which lines count (a `--grep`); all by default. */
  keep?: (entry: StoredLine) => boolean;
  /** How a raw line reads: `parseStoredLine` (output logs, the default) or `parseEventLine`. */
  parse?: (raw: string) => StoredLine;
}

interface OpenFile {
  path: string;
  fd: number;
  ino: number;
  size: number;
}

/** Opens `path` read-only, refusing a symlink; null when it does not exist. */
function openExisting(path: string): number | null {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    // A file that does not exist (nothing logged yet, or fewer rotations than kept) has no lines.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function closeAll(files: OpenFile[]): void {
  for (const file of files) closeSync(file.fd);
}

/**
 * The live file and its rotated copies (`path.1` …), newest first, opened at once: reading an
 * open file is unaffected by a rotation that renames it, so no line is read twice or skipped
 * between files — unless a rotation happened while they were being opened, which the inode check
 * sees (then they are opened again).
 */
function openChain(path: string): OpenFile[] {
  let files: OpenFile[] = [];
  for (let attempt = 1; attempt <= OPEN_TRIES; attempt++) {
    files = [];
    try {
      for (let i = 0; ; i++) {
        const name = i === 0 ? path : `${path}.${i}`;
        const fd = openExisting(name);
        if (fd === null) break;
        const st = fstatSync(fd);
        files.push({ path: name, fd, ino: st.ino, size: st.size });
      }
    } catch (error) {
      closeAll(files);
      throw error;
    }
    if (files.every((f) => statSync(f.path, { throwIfNoEntry: false })?.ino === f.ino) || attempt === OPEN_TRIES) return files;
    closeAll(files);
  }
  return files;
}

/**
 * The lines of an open file from its last to its first. Split on newline bytes before decoding,
 * so a character cut by a read boundary is never garbled; a file that does not end with a
 * newline ends with its unfinished line.
 */
function* linesFromEnd(fd: number, size: number): Generator<string> {
  let position = size;
  let rest = Buffer.alloc(0);
  let atEnd = true;
  while (position > 0) {
    const length = Math.min(CHUNK, position);
    position -= length;
    const chunk = Buffer.allocUnsafe(length);
    readSync(fd, chunk, 0, length, position);
    const data = rest.length > 0 ? Buffer.concat([chunk, rest]) : chunk;
    let end = data.length;
    for (let nl = data.lastIndexOf(0x0a, end - 1); nl !== -1; nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1) {
      // The newline that ends the file ends its last line; nothing follows it.
      if (!(atEnd && nl === data.length - 1)) yield data.toString('utf8', nl + 1, end);
      atEnd = false;
      end = nl;
    }
    rest = data.subarray(0, end);
  }
  if (size > 0) yield rest.toString('utf8');
}

/**
 * Every line of a rotating log from the newest back (the live file, then `path.1`, …), read as
 * `parse` says. The files are open only while the generator runs (closed when it returns or is
 * left early).
 */
export function* readBackwards(path: string, parse: (raw: string) => StoredLine = parseStoredLine): Generator<StoredLine> {
  const files = openChain(path);
  try {
    for (const file of files) for (const raw of linesFromEnd(file.fd, file.size)) yield parse(raw);
  } finally {
    closeAll(files);
  }
}

/**
 * The last `lines` lines of a rotating log that `keep` keeps and that were received at or after
 * `sinceMs`, oldest first, read back through as many rotated files as it takes.
 */
export function readLogTail(path: string, options: TailOptions): StoredLine[] {
  const found: StoredLine[] = [];
  if (options.lines <= 0) return found;
  for (const entry of readBackwards(path, options.parse)) {
    if (options.sinceMs !== undefined) {
      const ms = timeMs(entry.time);
      // Received in order: everything further back is older still.
      if (ms === null || ms < options.sinceMs) break;
    }
    if (options.keep && !options.keep(entry)) continue;
    found.push(entry);
    if (found.length >= options.lines) break;
  }
  return found.reverse();
}

/**
 * Lines of several logs (each oldest first) as one list in time order: lines of one log keep
 * their order; a line without a time comes before any with one; lines of the same millisecond
 * in different logs come in the order the logs are given.
 */
export function mergeByTime<T extends StoredLine>(sources: readonly T[][]): T[] {
  if (sources.length === 1) return [...sources[0]!];
  const heads = sources.map(() => 0);
  const keys = sources.map((source) => source.map((entry) => timeMs(entry.time) ?? -Infinity));
  const merged: T[] = [];
  for (;;) {
    let pick = -1;
    for (let s = 0; s < sources.length; s++) {
      if (heads[s]! >= sources[s]!.length) continue;
      if (pick === -1 || keys[s]![heads[s]!]! < keys[pick]![heads[pick]!]!) pick = s;
    }
    if (pick === -1) return merged;
    merged.push(sources[pick]![heads[pick]!]!);
    heads[pick] = heads[pick]! + 1;
  }
}
