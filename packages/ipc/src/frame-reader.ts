import { IpcError } from './errors.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into newline-terminated frames, holding at most `maxFrameBytes` (plus one
 * read chunk) of an unfinished frame: a frame that grows past the limit throws
 * EIPC_FRAME_TOO_LARGE instead of being buffered further. Frames are pulled one at a time with
 * `next()`, so a caller can stop pulling (backpressure) and leave complete frames queued.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` already searched for a newline. */
  private searched = 0;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /** The next complete frame without its line ending, or undefined when none is complete yet. */
  next(): Buffer | undefined {
    const end = this.pending.indexOf(NEWLINE, this.searched);
    if (end === -1) {
      this.searched = this.pending.length;
      if (this.pending.length > this.maxFrameBytes) throw this.tooLarge(this.pending.length, false);
      return undefined;
    }
    let frame = this.pending.subarray(0, end);
    if (frame.length > 0 && frame[frame.length - 1] === CARRIAGE_RETURN) frame = frame.subarray(0, -1);
    if (frame.length > this.maxFrameBytes) throw this.tooLarge(frame.length, true);
    this.pending = this.pending.subarray(end + 1);
    this.searched = 0;
    return frame;
  }

  /** Bytes of an unfinished frame (0 when the buffer is empty or still holds a complete frame). */
  partialBytes(): number {
    if (this.pending.length === 0) return 0;
    return this.pending.indexOf(NEWLINE, this.searched) === -1 ? this.pending.length : 0;
  }

  private tooLarge(bytes: number, complete: boolean): IpcError {
    return new IpcError(
      'EIPC_FRAME_TOO_LARGE',
      `@svc/ipc: frame ${complete ? 'of' : 'longer than'} ${bytes} bytes${complete ? '' : ' without a newline'} ` +
        `exceeds the ${this.maxFrameBytes}-byte limit (maxFrameBytes).`,
    );
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one frame: strict UTF-8 (an invalid sequence is an error, never U+FFFD), nesting at most
 * `maxJsonDepth` deep (checked before parsing, so no recursive consumer of the value can overflow
 * the stack), then JSON. Every failure is EIPC_BAD_FRAME.
 */
export function decodeFrame(frame: Buffer, maxJsonDepth: number): unknown {
  let text: string;
  try {
    text = decoder.decode(frame);
  } catch (error) {
    throw new IpcError('EIPC_BAD_FRAME', '@svc/ipc: frame is not valid UTF-8.', { cause: error });
  }
  if (text.length > maxJsonDepth && exceedsDepth(text, maxJsonDepth)) {
    throw new IpcError('EIPC_BAD_FRAME', `@svc/ipc: frame nests JSON deeper than ${maxJsonDepth} levels (maxJsonDepth).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IpcError('EIPC_BAD_FRAME', `@svc/ipc: frame is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when brackets outside strings nest deeper than `maxDepth`. Malformed JSON is left to JSON.parse. */
export function exceedsDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
