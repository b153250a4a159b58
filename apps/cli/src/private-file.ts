import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `text` to `file` whole or not at all: mode 0600, through a temp file renamed over it, in a
 * 0700 directory made when missing. On failure the error is thrown and no temp file is left.
 */
export function writePrivateFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Its directory cannot even be looked into: there is nothing of ours to remove.
    }
    throw error;
  }
}
