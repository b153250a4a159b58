import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors.js';
import type { ServiceConfig, SvcConfig } from './schema.js';

/*
 * A validated config made ready to run: paths made absolute, env files read. Apart from the schema
 * and the parsers, so that a daemon taking a config it validated before (validated-copy.ts) needs
 * neither.
 */

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

/** Resolves every service of a validated config read from `file`. */
export function resolveConfig(file: string, config: SvcConfig): LoadedConfig {
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
