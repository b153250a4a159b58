import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * Random bytes without loading node:crypto: its first import costs ≈ 12 ms (it builds the whole
 * crypto and WebCrypto surface), and the svc daemon takes its lock while it boots. They come from
 * the kernel's /dev/urandom, the source node:crypto draws from there too; where it is missing
 * (Windows), from node:crypto.
 */
export function randomBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let fd: number;
  try {
    fd = openSync('/dev/urandom', 'r');
  } catch {
    return (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomBytes(size);
  }
  try {
    for (let filled = 0; filled < size; ) {
      const read = readSync(fd, bytes, filled, size - filled, null);
      if (read === 0) throw new Error('/dev/urandom returned no bytes');
      filled += read;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** A random (version 4) UUID. */
export function randomUuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
