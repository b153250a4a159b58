import { EventEmitter } from 'node:events';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  write,
} from 'node:fs';
import { dirname } from 'node:path';
import { LogPathError } from './errors.js';

export interface RotatingLogOptions {
  path: string;
  maxSizeBytes: number;
  /** Rotated files kept beside the current one (`path.1` … `path.N`). */
  maxFiles: number;
  /**
   * Above this many queued bytes `writeLine` returns false (pause the source); above twice it plus
   * one read chunk (SLACK_BYTES: the rest of a chunk already read when the pause came), lines are dropped.
   */
  maxBufferBytes: number;
}

export interface LogStats {
  writtenLines: number;
  /** Bytes the disk accepted (across rotations). */
  writtenBytes: number;
  droppedLines: number;
  rotations: number;
  lastError: string | null;
}

const BATCH_BYTES = 64 * 1024;
/** A pipe read chunk is at most 64 KB; twice that covers the lines split from it after a pause. */
export const SLACK_BYTES = 128 * 1024;

/**
 * Creates `dir` (and parents) and makes it 0700 whatever the umask; refuses a symlink or a
 * non-directory at that path.
 */
/** An errno code with what it means for a log, in words: what the user has to fix. */
export function diskProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: `permission denied (uid ${process.getuid?.() ?? '?'})`,
    EPERM: `permission denied (uid ${process.getuid?.() ?? '?'})`,
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EROFS: 'the file system is read-only',
  };
  return code === undefined ? String(error) : words[code] ? `${code}, ${words[code]}` : code;
}

/**
 * A recursive mkdir says ENOENT where the disk refused (a read-only file system): making the
 * first missing directory alone gets the real reason.
 */
function realMkdirError(dir: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let missing = dir;
  while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
  try {
    mkdirSync(missing, { mode: 0o700 });
  } catch (real) {
    return real;
  }
  return error;
}

export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const real = realMkdirError(dir, error);
    throw new LogPathError(dir, `cannot create directory: ${diskProblem(real)}`, real);
  }
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) throw new LogPathError(dir, 'it is a symbolic link');
  if (!stat.isDirectory()) throw new LogPathError(dir, 'it is not a directory');
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/** Opens a file for appending, 0600, refusing a symlink (O_NOFOLLOW) or anything not a regular file. */
export function openPrivateFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new LogPathError(path, 'a symbolic link was planted at the log path', error);
    throw new LogPathError(path, `cannot open: ${diskProblem(error)}`, error);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new LogPathError(path, 'it is not a regular file');
  }
  if ((stat.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  return fd;
}

/**
 * A line-oriented log file with size-based rotation by rename. Lines are queued whole and
 * written in batches that never straddle a rotation, so a line is never torn between files,
 * never written twice and never lost while the disk accepts writes. A write error (ENOSPC,
 * EIO) drops that batch, counts its lines, emits `error-line` once per episode, and writing
 * goes on: the supervisor never crashes on a full disk.
 */
export class RotatingLog extends EventEmitter<{ drain: []; 'write-error': [Error]; 'write-ok': [] }> {
  readonly path: string;
  readonly #options: RotatingLogOptions;
  /** -1 while the file cannot be opened (a rotation renamed it and the disk refused a new one). */
  #fd: number;
  /** The open file's identity: when the path no longer leads to it (deleted, replaced), it is opened again. */
  #ino = 0;
  #size: number;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #writing = false;
  #inError = false;
  #closed = false;
  #paused = false;
  #flushWaiters: Array<() => void> = [];
  readonly stats: LogStats = { writtenLines: 0, writtenBytes: 0, droppedLines: 0, rotations: 0, lastError: null };

  constructor(options: RotatingLogOptions) {
    super();
    this.path = options.path;
    this.#options = options;
    this.#fd = openPrivateFile(options.path);
    const st = fstatSync(this.#fd);
    this.#size = st.size;
    this.#ino = st.ino;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues one line (without its newline). Returns false when the caller should pause its source. */
  writeLine(line: string): boolean {
    if (this.#closed) return false;
    const buffer = Buffer.from(`${line}\n`, 'utf8');
    if (this.#queuedBytes + buffer.length > 2 * this.#options.maxBufferBytes + SLACK_BYTES) {
      this.stats.droppedLines++;
      return false;
    }
    this.#queue.push(buffer);
    this.#queuedBytes += buffer.length;
    this.#pump();
    if (this.#queuedBytes > this.#options.maxBufferBytes) {
      this.#paused = true;
      return false;
    }
    return true;
  }

  /** Resolves when everything queued so far has been written or dropped. */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && !this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (this.#fd >= 0) closeSync(this.#fd);
  }

  #pump(): void {
    if (this.#writing || this.#queue.length === 0) {
      if (!this.#writing && this.#queue.length === 0) this.#settle();
      return;
    }
    // The file deleted under us (its directory removed by a cleaner or by hand): lines written to
    // it would be lost from view, so the path is made and opened again. Emptied under us (`svc logs
    // --flush`, `: > file`): appending goes on at its start, and the size counts from there.
    const onDisk = statSync(this.#options.path, { throwIfNoEntry: false });
    if (this.#fd >= 0 && onDisk?.ino !== this.#ino) {
      closeSync(this.#fd);
      this.#fd = -1;
    } else if (onDisk && onDisk.size < this.#size) {
      this.#size = onDisk.size;
    }
    if (this.#fd < 0 && !this.#reopen()) {
      // No file to write to (the disk refuses one): this batch is dropped and counted; the next
      // batch tries again, so writing resumes as soon as the disk allows.
      this.#dropBatch();
      this.#pump();
      return;
    }
    if (this.#size > 0 && this.#size + this.#queue[0]!.length > this.#options.maxSizeBytes) {
      try {
        this.#rotate();
      } catch (error) {
        // Rotation failed (disk full, permissions changed under us): keep appending to the
        // current file rather than losing lines; the error is reported and retried next batch.
        this.#reportError(error as Error);
      }
      if (this.#fd < 0) {
        this.#dropBatch();
        this.#pump();
        return;
      }
    }
    const room = Math.max(this.#options.maxSizeBytes - this.#size, 1);
    const batch: Buffer[] = [];
    let bytes = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (batch.length > 0 && (bytes + next.length > room || bytes + next.length > BATCH_BYTES)) break;
      batch.push(next);
      bytes += next.length;
      this.#queue.shift();
    }
    this.#queuedBytes -= bytes;
    this.#writing = true;
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes);
    this.#writeAll(data, 0, (error) => {
      this.#writing = false;
      if (error) {
        this.stats.droppedLines += batch.length;
        this.#reportError(error);
      } else {
        this.stats.writtenLines += batch.length;
        this.#size += bytes;
        if (this.#inError) {
          this.#inError = false;
          this.emit('write-ok');
        }
      }
      if (this.#paused && this.#queuedBytes <= this.#options.maxBufferBytes / 2) {
        this.#paused = false;
        this.emit('drain');
      }
      this.#pump();
    });
  }

  #writeAll(data: Buffer, offset: number, done: (error: Error | null) => void): void {
    write(this.#fd, data, offset, data.length - offset, null, (error, written) => {
      if (error) return done(error);
      this.stats.writtenBytes += written;
      if (offset + written < data.length) return this.#writeAll(data, offset + written, done);
      done(null);
    });
  }

  #rotate(): void {
    const { path, maxFiles } = this.#options;
    closeSync(this.#fd);
    this.#fd = -1;
    try {
      for (let i = maxFiles - 1; i >= 1; i--) {
        try {
          renameSync(`${path}.${i}`, `${path}.${i + 1}`);
        } catch (error) {
          // A missing older file is normal until the log has rotated maxFiles times.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      renameSync(path, `${path}.1`);
      this.stats.rotations++;
    } finally {
      // Whatever happened, reopen the live path so lines keep flowing to a file. When even that
      // fails (no room for a new file), #fd stays -1 and the next batch tries again.
      this.#reopen();
    }
  }

  /** Opens the live path again; false (the error reported) when the disk refuses. */
  #reopen(): boolean {
    try {
      ensurePrivateDir(dirname(this.#options.path));
      this.#fd = openPrivateFile(this.#options.path);
      const st = fstatSync(this.#fd);
      this.#size = st.size;
      this.#ino = st.ino;
      return true;
    } catch (error) {
      this.#fd = -1;
      this.#reportError(((error as { cause?: Error }).cause ?? error) as Error);
      return false;
    }
  }

  /** Drops the lines queued up to one batch, counted. */
  #dropBatch(): void {
    let bytes = 0;
    let lines = 0;
    while (this.#queue.length > 0 && (lines === 0 || bytes + this.#queue[0]!.length <= BATCH_BYTES)) {
      bytes += this.#queue.shift()!.length;
      lines++;
    }
    this.#queuedBytes -= bytes;
    this.stats.droppedLines += lines;
    if (this.#paused && this.#queuedBytes <= this.#options.maxBufferBytes / 2) {
      this.#paused = false;
      this.emit('drain');
    }
  }

  #reportError(error: Error): void {
    this.stats.lastError = (error as NodeJS.ErrnoException).code ?? error.message;
    if (!this.#inError) {
      this.#inError = true;
      this.emit('write-error', error);
    }
  }

  #settle(): void {
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Splits a byte stream into lines. A partial line longer than `maxLineBytes` is cut and emitted
 * as its own line so one endless line cannot grow memory without bound.
 */
export class LineSplitter {
  #partial = '';
  readonly #maxLineBytes: number;

  constructor(maxLineBytes = 64 * 1024) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: string, emit: (line: string) => void): void {
    const text = this.#partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.#partial = text.slice(start);
    while (this.#partial.length > this.#maxLineBytes) {
      emit(this.#partial.slice(0, this.#maxLineBytes));
      this.#partial = this.#partial.slice(this.#maxLineBytes);
    }
  }

  end(emit: (line: string) => void): void {
    if (this.#partial !== '') emit(this.#partial);
    this.#partial = '';
  }
}
