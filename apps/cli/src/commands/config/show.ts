import type { ResolvedSupervisorOptions } from '@svc/supervisor';
import { Args } from '@oclif/core';
import { projectDirs } from '@svc/supervisor/client';
import { BaseCommand } from '../../base-command.js';
import { paths } from '../../daemon.js';
import { requireService } from '../../project.js';

type Shown = Omit<ResolvedSupervisorOptions, 'now' | 'random' | 'orphanGuard' | 'baseEnv'> & { instances: number; listen: unknown };

export default class ConfigShow extends BaseCommand {
  static override summary = 'Print the config as the supervisor will use it: every default filled in, durations in ms, sizes in bytes.';
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show api --json'];
  static override args = { name: Args.string({ description: 'only this service' }) };

  async run(): Promise<{ file: string; project: string; services: Record<string, Shown> }> {
    const { args, flags } = await this.parse(ConfigShow);
    const config = await this.loadConfig(flags.config);
    if (args.name) requireService(config, args.name);
    const { checkServiceDefinition } = await import('@svc/supervisor/definition');
    const dirs = projectDirs(paths(), config.project.id);
    const services: Record<string, Shown> = {};
    for (const [name, definition] of Object.entries(config.services)) {
      if (args.name && name !== args.name) continue;
      const { resolved, instances, listen } = checkServiceDefinition(name, definition);
      const { now: _now, random: _random, orphanGuard: _guard, baseEnv: _base, ...shown } = resolved;
      services[name] = { ...shown, logDir: dirs.logDir, runDir: dirs.runDir, instances, listen };
    }
    if (!this.jsonEnabled()) this.log(JSON.stringify({ file: config.file, project: config.project.id, services }, null, 2));
    return { file: config.file, project: config.project.id, services };
  }
}
