import { existsSync } from 'node:fs';
import path from 'node:path';

/*
 * Finding the config file, apart from reading it: `svc start`'s early daemon spawn (prestart.ts)
 * needs the path before the parsers and the schema are loaded.
 */

export const CONFIG_NAMES = ['svc.config.ts', 'svc.config.mts', 'svc.config.js', 'svc.config.mjs', 'svc.config.json', 'svc.config.yaml', 'svc.config.yml', 'svc.config.toml'];

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
