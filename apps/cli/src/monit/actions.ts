import type { DaemonConnection, DaemonRow } from '@svc/supervisor/client';
import { dependentsOf, SERVICE_DEFAULTS, withDependencies } from '@svc/supervisor/definition';
import type { BaseCommand } from '../base-command.js';
import { CONTROL_TIMEOUT_MS, onDaemon } from '../daemon.js';
import { CliError } from '../errors.js';
import { requireService } from '../project.js';
import { alreadyRunningLine, runningLine } from '../start-service.js';
import { startStack } from '../start-stack.js';
import { currentSpec } from '../target.js';
import { instanceCount, stateOf, type ServiceView } from './model.js';

/*
 * What a key does to a service, the way its command does it: a restart or reload of a config
 * service sends the config's definition as it is now (target.ts), and a restart then restarts
 * the services that follow it (`dependsOn: { <it>: { restart: true } }`), as `svc restart`; a
 * start is `svc start <name>` run in its project (its dependencies first, start-stack.ts); a stop,
 * a scale are the daemon's calls the commands make. Each resolves with the line the command would
 * print, or rejects with the error it would show.
 */

export type Action = 'restart' | 'reload' | 'stop' | 'start' | 'scale-up' | 'scale-down';

/** What the status line says while an action runs. */
export const ACTION_WORDS: Record<Action, string> = {
  restart: 'restarting',
  reload: 'reloading',
  stop: 'stopping',
  start: 'starting',
  'scale-up': 'scaling up',
  'scale-down': 'scaling down',
};

export interface ActionContext {
  /** Loads a project's config (fresh each time: an edit applies, as it does to the command). */
  command: BaseCommand;
  /** The view's connection to the daemon; null while none runs. */
  connection: DaemonConnection | null;
}

const pids = (rows: DaemonRow[]) => rows.map((r) => r.pid ?? '-').join(', ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The daemon's connection, for a service it hosts. */
function hosting(view: ServiceView, ctx: ActionContext): DaemonConnection {
  if (ctx.connection === null || view.gone !== null) throw new CliError('ENOT_RUNNING', `${view.name} is not running (S starts it)`);
  return ctx.connection;
}

async function restart(view: ServiceView, ctx: ActionContext): Promise<string> {
  const connection = hosting(view, ctx);
  const { project, name } = view;
  const restartOne = async (service: string) =>
    connection.client.call('restart', { project, service, ...(await currentSpec(ctx.command, undefined, project, service)) }, { timeoutMs: CONTROL_TIMEOUT_MS });
  const said = [`${name} restarted (pid ${pids(await restartOne(name))})`];
  if (project.config === null) return said.join('; ');
  // Those that asked to follow it (compose's depends_on.restart) and run, dependencies before dependents.
  const services = (await ctx.command.loadConfig(project.config)).services;
  const following = dependentsOf(services, name, (d) => d.restart);
  for (const other of withDependencies(services, following).filter((n) => following.includes(n))) {
    const hosted = await connection.client.call('status', { project: project.id, service: other });
    const state = hosted[0]?.service?.state ?? hosted[0]?.state;
    if (state !== 'running' && state !== 'starting' && state !== 'backoff') continue;
    said.push(`${other} restarted after ${name} (dependsOn restart; pid ${pids(await restartOne(other))})`);
  }
  return said.join('; ');
}

async function reload(view: ServiceView, ctx: ActionContext): Promise<string> {
  const connection = hosting(view, ctx);
  const spec = await currentSpec(ctx.command, undefined, view.project, view.name);
  const result = await connection.client.call('reload', { project: view.project, service: view.name, ...spec }, { timeoutMs: CONTROL_TIMEOUT_MS });
  const line =
    result.mode === 'reload'
      ? `${view.name} reloaded: ${plural(result.replaced, 'instance')} replaced (pid ${pids(result.rows)})`
      : `${view.name} restarted (pid ${pids(result.rows)})`;
  return result.warning ? `${line}. ${result.warning}` : line;
}

async function stop(view: ServiceView, ctx: ActionContext): Promise<string> {
  const connection = hosting(view, ctx);
  const result = await connection.client.call('stop', { project: view.project, service: view.name }, { timeoutMs: CONTROL_TIMEOUT_MS });
  return result.wasActive ? `${view.name} stopped` : `${view.name} was not running (its failure is cleared)`;
}

async function start(view: ServiceView, ctx: ActionContext): Promise<string> {
  const { project, name } = view;
  if (project.config !== null) return startFromConfig(ctx, project.config, name);
  // An ad-hoc service is defined by the `svc start` that started it: the daemon knows it while it hosts it.
  const connection = ctx.connection;
  if (connection === null || view.gone !== null) throw new CliError('EUSAGE', `${name} is an ad-hoc service the daemon no longer hosts: start it again with svc start ${name} -- <command>`);
  const current = view.instances.find((r) => r.state === 'running') ?? view.instances[0];
  if (current && (stateOf(view) === 'running' || stateOf(view) === 'standby')) return alreadyRunningLine(name, current);
  return runningLine(name, await connection.client.call('start', { project, service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }));
}

async function startFromConfig(ctx: ActionContext, file: string, name: string): Promise<string> {
  const config = await ctx.command.loadConfig(file, { keepCopy: true });
  requireService(config, name);
  const lines: string[] = [];
  // The daemon may have exited with the last service: a start brings it back, as `svc start` does.
  await onDaemon((connection) => startStack(connection, config.project, config.services, [name], (line) => lines.push(line)));
  return lines.join('; ') || `${name} started`;
}

function scaleBy(step: 1 | -1) {
  return async (view: ServiceView, ctx: ActionContext): Promise<string> => {
    const connection = hosting(view, ctx);
    const current = instanceCount(view);
    const instances = current + step;
    const max = SERVICE_DEFAULTS.maxInstances;
    if (instances < 1 || instances > max) throw new CliError('EUSAGE', `instances must be 1–${max} (${view.name} runs ${current})`);
    const rows = await connection.client.call('scale', { project: view.project, service: view.name, instances }, { timeoutMs: CONTROL_TIMEOUT_MS });
    return `${view.name} runs ${plural(rows.length, 'instance')} (pid ${pids(rows)})`;
  };
}

const ACTIONS: Record<Action, (view: ServiceView, ctx: ActionContext) => Promise<string>> = {
  restart,
  reload,
  stop,
  start,
  'scale-up': scaleBy(1),
  'scale-down': scaleBy(-1),
};

export function runAction(action: Action, view: ServiceView, ctx: ActionContext): Promise<string> {
  return ACTIONS[action](view, ctx);
}
