import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import { ConfigError, CliError } from '../errors.js';
import { configSchema, type ServiceConfig, type SvcConfig } from './schema.js';

import { CONFIG_NAMES, findConfig } from './find.js';

export { CONFIG_NAMES, findConfig };

/** A config with every path made absolute and every env file read. */
export interface LoadedConfig {
  file: string;
  dir: string;
  services: Record<string, ResolvedService>;
}

export type ResolvedService = Omit<ServiceConfig, 'cwd' | 'envFile'> & {
  name: string;
  cwd: string;
  envFile: string | undefined;
  /** env from envFile, then `env` over it. */
  resolvedEnv: Record<string, string>;
};

async function readRaw(file: string): Promise<unknown> {
  const ext = path.extname(file);
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
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
    text = readFileSync(file, 'utf8');
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
  const config = validateConfig(await readRaw(file), file);
  const dir = path.dirname(file);
  const services: Record<string, ResolvedService> = {};
  for (const [name, service] of Object.entries(config.services)) {
    services[name] = resolveService(name, service, dir, file);
  }
  return { file, dir, services };
}

export function resolveService(name: string, service: ServiceConfig, dir: string, file: string): ResolvedService {
  const cwd = path.resolve(dir, service.cwd ?? '.');
  const envFile = service.envFile ? path.resolve(cwd, service.envFile) : undefined;
  let fromFile: Record<string, string> = {};
  if (envFile) {
    try {
      fromFile = parseDotenv(readFileSync(envFile));
    } catch (error) {
      throw new ConfigError(file, [{ path: `services.${name}.envFile`, message: `cannot read ${envFile}: ${(error as Error).message}` }], { cause: error });
    }
  }
  return { ...service, name, cwd, envFile, resolvedEnv: { ...fromFile, ...(service.env ?? {}) } };
}
