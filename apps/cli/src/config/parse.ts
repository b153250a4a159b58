import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError, CliError } from '../errors.js';
import { configSchema, type SvcConfig } from './schema.js';
import { resolveConfig, type LoadedConfig } from './resolve.js';

import { CONFIG_NAMES, findConfig, isCodeConfig } from './find.js';

export { CONFIG_NAMES, findConfig };
export { resolveConfig, resolveService, type LoadedConfig, type ResolvedService } from './resolve.js';

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

export function validateConfig(raw: unknown, file: string): SvcConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.map((issue) => describeIssue(issue)));
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; message: string; value?: unknown } {
  const keyPath = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
  if (issue.code === 'unrecognized_keys') {
    return { path: keyPath, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.code === 'invalid_key') {
    const key = issue.path.length ? String(issue.path[issue.path.length - 1]) : undefined;
    return { path: keyPath, message: issue.issues[0]?.message ?? issue.message, ...(key === undefined ? {} : { value: key }) };
  }
  const value = 'input' in issue ? issue.input : undefined;
  return { path: keyPath, message: issue.message, ...(value === undefined ? {} : { value }) };
}

/** Finds (or takes), reads, validates and resolves a config file. Nothing starts from an invalid one. */
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ? path.resolve(cwd, options.file) : findConfig(cwd);
  if (!file) {
    throw new CliError('ECONFIG_NOT_FOUND', `no svc config found in ${cwd} or above (looked for ${CONFIG_NAMES.join(', ')})`, {
      details: ['Create one with: svc init', 'Or start a command without one: svc start <name> -- <command> [args…]'],
    });
  }
  if (!existsSync(file)) throw new CliError('ECONFIG_NOT_FOUND', `config file ${file} does not exist`);
  return resolveConfig(file, await readValidConfig(file));
}

/**
 * Reads, parses and validates one config file: its services as the schema outputs them, before
 * any path is resolved or env file read. `bytes`: the file's contents, already read by the caller
 * (so that what is validated is exactly what it digested); ignored for JavaScript and TypeScript.
 */
export async function readValidConfig(file: string, bytes?: Buffer): Promise<SvcConfig> {
  return validateConfig(await readRaw(file, bytes), file);
}
