import path from 'node:path';
import { adhocProject, configProject, type DaemonConnection, type ProjectRef } from '@svc/supervisor/client';
import { findConfig } from './config/find.js';
import type { LoadedConfig } from './config/load.js';
import { CliError } from './errors.js';

/*
 * Which project a command works on: the config found from the working directory (or --config),
 * else the ad-hoc project (`svc start name -- cmd`). Finding it reads no file: a command that only
 * stops, lists or tails works even while the config is being edited and invalid.
 */

export interface FoundProject {
  project: ProjectRef;
  /** The config file, or null for the ad-hoc project. */
  configFile: string | null;
}

export function findProject(configFlag: string | undefined, cwd = process.cwd()): FoundProject {
  const configFile = configFlag ? path.resolve(cwd, configFlag) : findConfig(cwd);
  if (configFile === null) return { project: adhocProject, configFile: null };
  return { project: configProject(configFile), configFile };
}

/** A project's name as people read it: its config file, or "ad-hoc". */
export function projectLabel(project: ProjectRef): string {
  return project.config ?? 'ad-hoc';
}

export function requireService(config: LoadedConfig, name: string): void {
  if (!config.services[name]) {
    throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
  }
}

/**
 * The project that hosts `name` for a command run here: the found project when the daemon hosts
 * it there, else the ad-hoc project when it hosts it there (an ad-hoc service started from a
 * directory with a config), else the found project.
 */
export async function projectHosting(connection: DaemonConnection, found: FoundProject, name: string): Promise<ProjectRef> {
  if (found.project.id === adhocProject.id) return found.project;
  const here = await connection.client.call('status', { project: found.project.id, service: name });
  if (here.length > 0) return found.project;
  const adhoc = await connection.client.call('status', { project: adhocProject.id, service: name });
  return adhoc.length > 0 ? adhocProject : found.project;
}
