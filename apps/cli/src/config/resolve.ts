import path from 'node:path';
import { readEnvFile } from '@svc/supervisor/definition';
import { configProject, type ProjectRef } from '@svc/supervisor/client';
import type { ServiceDefinition } from '@svc/supervisor/definition';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { SvcConfig } from './validate.js';

/*
 * A validated config made ready to run: `cwd` made absolute (relative to the file), `envFile`
 * made absolute (relative to `cwd`) and checked readable by the supervisor's own parser (it reads
 * it again at each spawn). Apart from the parsers, so that a config taken from its validated copy
 * (validated-copy.ts) needs none of them.
 */

/** A config with every path made absolute, and the project its services belong to. */
export interface LoadedConfig {
  file: string;
  dir: string;
  project: ProjectRef;
  services: Record<string, ServiceDefinition>;
}

/** Resolves every service of a validated config read from `file`. */
export function resolveConfig(file: string, config: SvcConfig): LoadedConfig {
  const dir = path.dirname(file);
  const services: Record<string, ServiceDefinition> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, service] of Object.entries(config.services)) {
    const cwd = path.resolve(dir, service.cwd ?? '.');
    const envFile = service.envFile === undefined ? undefined : path.resolve(cwd, service.envFile);
    if (envFile !== undefined) {
      try {
        readEnvFile(envFile);
      } catch (error) {
        problems.push({ path: `services.${name}.envFile`, message: (error as Error).message });
      }
    }
    services[name] = { ...service, cwd, ...(envFile === undefined ? {} : { envFile }) };
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, dir, project: configProject(file), services };
}
