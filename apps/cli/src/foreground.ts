import type { Daemon, ExportedService, ServiceTarget } from '@svc/supervisor';
import type { ServiceDefinition } from '@svc/supervisor/definition';
import { clientOptions } from './daemon.js';
import { CliError } from './errors.js';

export interface ForegroundOutcome {
  /** Each service's state when the daemon ended, by `project/name`. */
  services: Record<string, string>;
  failed: boolean;
}

/**
 * SIGHUP (`systemctl reload`) reloads each service as its config file says now: the file is read
 * and checked again; an invalid one (or a service no longer in it) leaves the service as it runs,
 * and the daemon says why on stderr. An ad-hoc service has no file: it reloads as it was started.
 * `watches`: whether the service may keep its `watch` (see withoutWatch).
 */
async function currentDefinition(target: ServiceTarget, watches: (target: ServiceTarget) => boolean): Promise<ServiceDefinition | null> {
  const file = target.project.config;
  if (file === null) return null;
  const { loadConfigFile } = await import('./config/load.js');
  const config = await loadConfigFile(file);
  const definition = config.services[target.service];
  if (!definition) throw new Error(`${target.service} is no longer in ${file}`);
  return watches(target) ? definition : withoutWatch(definition);
}

/**
 * `watch` is for development: a daemon run by a service manager (the unit `svc install` writes)
 * or by `svc run` (a container, a unit of your own) never restarts a service on a file change
 * unless asked (`svc install --watch`, `svc run --watch`). The definition without it.
 */
export function withoutWatch(definition: ServiceDefinition): ServiceDefinition {
  const { watch: _watch, ...rest } = definition;
  return rest;
}

/**
 * Runs the per-user daemon in this process until it is done: what `svc run` (one config, in a
 * container or a unit) and `svc daemon run` (the unit `svc install` writes) do. With `takeOver`, a
 * daemon already running is asked what it runs and to stop, and its services are started again
 * here (each restarts once): the service manager then holds every service. Without it, a running
 * daemon is an error saying what to do.
 */
export async function runForeground(
  initial: ExportedService[],
  options: { takeOver: boolean; log: (line: string) => void; warn: (line: string) => void; watches: (target: ServiceTarget) => boolean },
): Promise<ForegroundOutcome> {
  const { createDaemon, connectDaemon, waitForDaemonGone } = await import('@svc/supervisor');
  let services = initial;
  let daemon: Daemon | null = null;
  for (let attempt = 0; daemon === null; attempt++) {
    if (options.takeOver) {
      const running = await connectDaemon(clientOptions({ acceptOtherVersion: true }));
      if (running) {
        try {
          const theirs = await running.client.call('export', null);
          const key = (s: ExportedService) => `${s.project.id}\u0000${s.service}`;
          const ours = new Set(services.map(key));
          services = [...services, ...theirs.filter((s) => !ours.has(key(s)))];
          options.warn(`the svc daemon ${running.hello.version} (pid ${running.hello.pid}) runs ${theirs.length} service${theirs.length === 1 ? '' : 's'}: taking them over (each restarts once)`);
          await running.client.call('shutdown', null);
        } finally {
          await running.close();
        }
        await waitForDaemonGone(clientOptions(), 10 * 60_000);
      }
    }
    try {
      daemon = await createDaemon({
        initial: services,
        lockMetadata: { manager: process.env.INVOCATION_ID ? 'systemd' : 'foreground' },
        currentDefinition: (target) => currentDefinition(target, options.watches),
        // A `svc restart` or `svc start` from a shell sends the config as written: `watch` stays
        // off here for what was not installed (or run) with --watch.
        admit: (target, definition) => (options.watches(target) ? definition : withoutWatch(definition)),
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EDAEMON_LOCKED') throw error;
      if (!options.takeOver || attempt >= 3) {
        const pid = (error as { holder?: { pid?: number } }).holder?.pid;
        throw new CliError('EDAEMON_RUNNING', `a svc daemon already runs (pid ${pid ?? '?'}): a foreground one would be a second`, {
          cause: error,
          details: ['Start the services on it with svc start <name>, or stop it first with svc daemon stop.'],
        });
      }
    }
  }
  options.log(`svc daemon ${daemon.version} (pid ${daemon.pid}) serving ${daemon.socketPath}`);
  for (const { target, error } of await daemon.initialStarts) {
    if (error) options.warn(`${target.service} did not start: ${error.message}`);
  }
  // Awaited to its end: returning earlier would let the process exit under the daemon.
  await daemon.done;
  const rows = daemon.status();
  // Its output is the journal's (or the container's log): say why it ends with a failure.
  for (const row of rows) {
    if (row.service.state === 'failed') options.warn(`${row.name}${row.instance > 0 ? ` (instance ${row.instance})` : ''} failed: ${row.failure ?? 'see svc status'}`);
  }
  return {
    services: Object.fromEntries(rows.map((row) => [`${row.project.config ?? 'adhoc'}/${row.name}`, row.service.state])),
    failed: rows.some((row) => row.service.state === 'failed'),
  };
}
