import { existsSync, readdirSync } from 'node:fs';
import { adhocProject, projectDirs, serviceLogFile, type DaemonConnection, type LogsStream, type ProjectRef } from '@svc/supervisor/client';
import { paths } from './daemon.js';
import { CliError } from './errors.js';
import { fileStreams } from './logs-query.js';
import { projectHosting, projectLabel, type FoundProject } from './project.js';

/*
 * Whose logs `svc logs` shows: the named service (hosted by the daemon, or else its files, of this
 * project or else of the ad-hoc project), or without a name every service of the project found
 * from here — those the daemon hosts and those with log files — so that no config has to be read
 * (a command that only tails works while the config is being edited and invalid).
 */

export interface LogTarget {
  name: string;
  project: ProjectRef;
  /** The daemon runs it: lines come from it, and it can be followed. */
  hosted: boolean;
  /** How many instances it runs (1 when not hosted). */
  instances: number;
}

/** A service's log file of a stream. */
export function logFile(target: Pick<LogTarget, 'name' | 'project'>, stream: 'stdout' | 'stderr' | 'events'): string {
  return serviceLogFile(paths(), target.project.id, target.name, stream);
}

const LOG_FILE = /^(.+)\.(?:out\.log|err\.log|events\.jsonl)(?:\.\d+)?$/;

/** The services of a project that have log files. */
function namesWithFiles(project: ProjectRef): string[] {
  const dir = projectDirs(paths(), project.id).logDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) => LOG_FILE.exec(file)?.[1] ?? []);
}

/**
 * The services of a project the daemon hosts, with how many instances each runs. Hosted, not
 * listed: `status` also lists what a daemon before it left (failed, crashed), which it does not run.
 */
async function hostedCounts(connection: DaemonConnection | null, project: ProjectRef, name?: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!connection) return counts;
  const filter = { project: project.id, ...(name === undefined ? {} : { service: name }) };
  const [hosted, rows] = await Promise.all([connection.client.call('definitions', filter), connection.client.call('status', filter)]);
  for (const h of hosted) counts.set(h.service, Math.max(1, rows.filter((row) => row.name === h.service).length));
  return counts;
}

export async function logTargets(connection: DaemonConnection | null, found: FoundProject, name: string | undefined, stream: LogsStream): Promise<LogTarget[]> {
  if (name !== undefined) {
    const project = connection ? await projectHosting(connection, found, name) : found.project;
    const instances = (await hostedCounts(connection, project, name)).get(name);
    if (instances !== undefined) return [{ name, project, hosted: true, instances }];
    // Not hosted: the files on disk, of this project or else of the ad-hoc project.
    const withFiles = [found.project, adhocProject].find((p) => fileStreams(stream).some((s) => existsSync(logFile({ name, project: p }, s))));
    if (withFiles === undefined) throw new CliError('ENOT_RUNNING', `no logs for ${name} yet: it has not run here`);
    return [{ name, project: withFiles, hosted: false, instances: 1 }];
  }
  const project = found.project;
  const hosted = await hostedCounts(connection, project);
  const names = [...new Set([...hosted.keys(), ...namesWithFiles(project)])].sort();
  if (names.length === 0) throw new CliError('ENOT_RUNNING', `no logs of ${projectLabel(project)} yet: none of its services has run here`);
  return names.map((n) => ({ name: n, project, hosted: hosted.has(n), instances: hosted.get(n) ?? 1 }));
}
