import { existsSync } from 'node:fs';
import path from 'node:path';
import { configProject, daemonPaths } from '@svc/supervisor/client';
import { CliError } from '../errors.js';
import { CONFIG_NAMES, findConfig, readConfigBytes } from './find.js';
import { resolveConfig, type LoadedConfig } from './resolve.js';
import { copyDir, readValidatedCopy, writeValidatedCopy } from './validated-copy.js';

export type { LoadedConfig } from './resolve.js';

/**
 * Finds (or takes), reads, validates and resolves a config file; nothing starts from an invalid
 * one. An unchanged file validated before is taken from its validated copy (validated-copy.ts),
 * without loading its parser.
 */
export async function loadConfig(options: { file?: string; cwd?: string; keepCopy?: boolean } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ? path.resolve(cwd, options.file) : findConfig(cwd);
  if (!file) {
    throw new CliError('ECONFIG_NOT_FOUND', `no svc config found in ${cwd} or above (looked for ${CONFIG_NAMES.join(', ')})`, {
      details: ['Create one with: svc init', 'Or start a command without one: svc start <name> -- <command> [args…]'],
    });
  }
  if (!existsSync(file)) throw new CliError('ECONFIG_NOT_FOUND', `config file ${file} does not exist`);
  return loadConfigFile(file, options);
}

/**
 * Loads the config file `file` (which exists), from its validated copy when the bytes are the same.
 * `keepCopy`: write the copy after a full validation (what a start does; a dry run writes nothing).
 */
export async function loadConfigFile(file: string, options: { keepCopy?: boolean } = {}): Promise<LoadedConfig> {
  const read = readConfigBytes(file);
  const dir = copyDir(daemonPaths(process.env).stateDir, configProject(file).id);
  if (read) {
    const copy = readValidatedCopy(dir, read.digest);
    if (copy) return resolveConfig(file, copy);
  }
  const { readValidConfig } = await import('./parse.js');
  const validated = await readValidConfig(file, read?.bytes);
  if (read && options.keepCopy) writeValidatedCopy(dir, read.digest, validated);
  return resolveConfig(file, validated);
}
