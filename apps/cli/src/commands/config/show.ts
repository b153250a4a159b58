import type { ResolvedSupervisorOptions } from '@svc/supervisor';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';
import { daemonDirs } from '../../paths.js';
import { toSupervisorOptions } from '../../service-options.js';

type Shown = Omit<ResolvedSupervisorOptions, 'now' | 'random' | 'orphanGuard'> & { instances: number; listen: unknown };

export default class ConfigShow extends BaseCommand {
  static override summary = 'Print the config as the supervisor will use it: every default filled in, durations in ms, sizes in bytes.';
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show api --json'];
  static override args = { name: Args.string({ description: 'only this service' }) };

  async run(): Promise<{ file: string; services: Record<string, Shown> }> {
    const { args, flags } = await this.parse(ConfigShow);
    const config = await this.loadConfig(flags.config);
    if (args.name && !config.services[args.name]) {
      throw new CliError('EUSAGE', `no service "${args.name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
    }
    const { resolveSupervisorOptions, SERVICE_DEFAULTS } = await import('@svc/supervisor');
    const dirs = daemonDirs(config.file);
    const services: Record<string, Shown> = {};
    for (const service of Object.values(config.services)) {
      if (args.name && service.name !== args.name) continue;
      const { now: _now, random: _random, orphanGuard: _guard, ...resolved } = resolveSupervisorOptions(toSupervisorOptions(service, dirs));
      const listen = service.listen ? { host: SERVICE_DEFAULTS.listen.host, backlog: SERVICE_DEFAULTS.listen.backlog, ...service.listen } : null;
      services[service.name] = { ...resolved, instances: service.instances ?? SERVICE_DEFAULTS.instances, listen };
    }
    if (!this.jsonEnabled()) this.log(JSON.stringify({ file: config.file, services }, null, 2));
    return { file: config.file, services };
  }
}
