import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';

const CHUNK = 64 * 1024;

function tailOfFile(path: string, lines: number): string[] {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    // A file that does not exist yet (nothing logged) has no lines; anything else is a real error.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    let position = size;
    let text = '';
    let count = 0;
    while (position > 0 && count <= lines) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, position);
      text = buffer.toString('utf8') + text;
      count = text.split('\n').length - 1;
    }
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    if (position > 0) all.shift(); // the first piece may be a partial line
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of a rotating log, reading into `path.1` when the live file is short. */
export function tailLog(path: string, lines: number): string[] {
  if (lines <= 0) return [];
  const current = tailOfFile(path, lines);
  if (current.length >= lines) return current;
  return [...tailOfFile(`${path}.1`, lines - current.length), ...current];
}
