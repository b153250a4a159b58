import type { DaemonConnection, DaemonRow, ProjectRef } from '@svc/supervisor/client';
import type { BaseCommand } from './base-command.js';
import { callerEnvironment, connect } from './daemon.js';
import { CliError } from './errors.js';
import { findProject, projectHosting, requireService } from './project.js';

/*
 * The service a command acts on once it runs: `restart`, `reload` and `scale` need it hosted by
 * the daemon; `restart` and `reload` of a config service take its definition from the config as
 * it is now (so an edit applies), with this call's environment.
 */

export interface HostedTarget {
  connection: DaemonConnection;
  project: ProjectRef;
  rows: DaemonRow[];
}

/** The running daemon and the project that hosts `name`; ENOT_RUNNING when it is not hosted. */
export async function hostedTarget(configFlag: string | undefined, name: string): Promise<HostedTarget> {
  const found = findProject(configFlag);
  const connection = await connect();
  const notRunning = () => new CliError('ENOT_RUNNING', `${name} is not running (start it with: svc start ${name})`);
  if (!connection) throw notRunning();
  try {
    const project = await projectHosting(connection, found, name);
    const rows = await connection.client.call('status', { project: project.id, service: name });
    if (rows.length === 0) throw notRunning();
    return { connection, project, rows };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** What a restart or reload sends: the config's current definition (a config service), or nothing (ad-hoc). */
export async function currentSpec(command: BaseCommand, configFlag: string | undefined, project: ProjectRef, name: string) {
  if (project.config === null) return {};
  const config = await command.loadConfig(configFlag ?? project.config, { keepCopy: true });
  requireService(config, name);
  return { definition: config.services[name]!, environment: callerEnvironment() };
}
