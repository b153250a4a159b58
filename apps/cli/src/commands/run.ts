import { readFileSync, rmSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { createDaemon, type ServiceDefinition } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { daemonId } from '../paths.js';
import { toServiceDefinition } from '../service-options.js';
import { clearFailed, writeFailed } from '../final-status.js';

export default class Run extends BaseCommand {
  static override summary = 'Run the supervisor daemon in the foreground (what service units and containers run).';
  static override description = [
    '`svc run <name>` supervises that one service of the config until it stops or the daemon gets SIGTERM/SIGINT;',
    '`svc run` with no name supervises every service of the config. SIGHUP restarts the services.',
    'Exits 0 when every service ended cleanly, 1 when one failed.',
  ].join('\n');
  static override examples = ['<%= config.bin %> run api', '<%= config.bin %> run --config /srv/app/svc.config.yaml'];
  static override args = { name: Args.string({ description: 'service name in the config (default: all of them)' }) };
  static override flags = {
    // Used by `svc start`: host every service of the config, start none until asked.
    spawned: Flags.boolean({ hidden: true }),
    // Used by `svc start <name> -- <command>`: a JSON service definition file, read then deleted.
    adhoc: Flags.string({ hidden: true }),
  };

  async run(): Promise<{ id: string; services: Record<string, string> }> {
    const { args, flags } = await this.parse(Run);
    let id: string;
    let services: Record<string, ServiceDefinition>;
    let autostart: 'all' | 'none' = 'all';
    if (flags.adhoc) {
      if (!args.name) throw new CliError('EUSAGE', '--adhoc needs the service name');
      const definition = JSON.parse(readFileSync(flags.adhoc, 'utf8')) as ServiceDefinition;
      rmSync(flags.adhoc, { force: true });
      id = daemonId({ adHoc: args.name });
      services = { [args.name]: definition };
      autostart = 'none';
    } else {
      const config = await this.loadConfig(flags.config);
      const base = daemonId({ configFile: config.file });
      const names = args.name && !flags.spawned ? [args.name] : Object.keys(config.services);
      services = {};
      for (const name of names) {
        const service = config.services[name];
        if (!service) throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
        services[name] = toServiceDefinition(service);
      }
      // The whole-config daemon and a one-service daemon (an installed unit) have distinct ids;
      // the per-service lock keeps them from running the same service twice.
      id = args.name && !flags.spawned ? `${base}-${args.name}` : base;
      if (flags.spawned) autostart = 'none';
    }
    const daemon = await createDaemon({ id, services, autostart });
    clearFailed(id);
    if (!this.jsonEnabled()) this.log(`svc daemon ${id} (pid ${process.pid}) serving ${daemon.socketPath}`);
    // Await the daemon to its end: resolving run() earlier would let the process exit under it.
    await daemon.done;
    const stats = daemon.status();
    writeFailed(id, stats);
    const final = Object.fromEntries(stats.map((s) => [s.name, s.state]));
    if (Object.values(final).includes('failed')) process.exitCode = 1;
    return { id, services: final };
  }
}
