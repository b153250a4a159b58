import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { isCodeConfig } from './find.js';
import { validateConfig, type SvcConfig } from './validate.js';

/*
 * Reading a config file: its parser (YAML, TOML, JSON, or the file's own code) and its validation.
 * The costly part of loading a config, so load.ts imports it only when no validated copy serves.
 */

async function readRaw(file: string, bytes?: Buffer): Promise<unknown> {
  const ext = path.extname(file);
  if (isCodeConfig(file)) {
    // Node ≥ 22.18 strips TypeScript types itself; the file's default export is the config.
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      return typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
    } catch (error) {
      throw new ConfigError(file, [{ path: '', message: `cannot load: ${(error as Error).message}` }], { cause: error });
    }
  }
  let text: string;
  try {
    text = bytes === undefined ? readFileSync(file, 'utf8') : bytes.toString('utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(error as Error).message}` }], { cause: error });
  }
  try {
    if (ext === '.json') return JSON.parse(text) as unknown;
    if (ext === '.toml') return (await import('smol-toml')).parse(text);
    return (await import('yaml')).parse(text, { prettyErrors: true }) as unknown;
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `not valid ${ext.slice(1).toUpperCase()}: ${(error as Error).message.split('\n')[0]}` }], { cause: error });
  }
}

/**
 * Reads, parses and validates one config file: its services as the schema outputs them, before
 * any path is resolved or env file read. `bytes`: the file's contents, already read by the caller
 * (so that what is validated is exactly what it digested); ignored for JavaScript and TypeScript.
 */
export async function readValidConfig(file: string, bytes?: Buffer): Promise<SvcConfig> {
  return validateConfig(await readRaw(file, bytes), file);
}
