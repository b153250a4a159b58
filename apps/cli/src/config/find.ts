import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/*
 * Finding the config file, apart from reading it: `svc start`'s quick path (prestart.ts) and the
 * commands that only stop, list or tail need the path before (or without) any parser.
 */

export const CONFIG_NAMES = ['svc.config.ts', 'svc.config.mts', 'svc.config.js', 'svc.config.mjs', 'svc.config.json', 'svc.config.yaml', 'svc.config.yml', 'svc.config.toml'];

/** A JavaScript or TypeScript config: its result is code's (its default export), not the file's bytes. */
export function isCodeConfig(file: string): boolean {
  return /\.(ts|mts|js|mjs)$/.test(file);
}

/** Walks up from `from` to the first directory holding one of the config names. */
export function findConfig(from: string): string | null {
  let dir = path.resolve(from);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The config file's bytes and their SHA-256 digest (what a validated copy is keyed by). Null for
 * JavaScript and TypeScript configs, whose result is code's, not the file's, and for a file that
 * cannot be read (loading it reports the error).
 */
export function readConfigBytes(file: string): { bytes: Buffer; digest: string } | null {
  if (isCodeConfig(file)) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    // Unreadable now: no digest, so nothing is taken as validated; loading it reports the error.
    if ((error as NodeJS.ErrnoException).code !== undefined) return null;
    throw error;
  }
  // node:crypto loads here, not with this module: `svc start` spawns its daemon before it needs it.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return { bytes, digest: createHash('sha256').update(bytes).digest('hex') };
}
