import { Args } from '@oclif/core';
import type { InstanceStats } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { connectConfigDaemon, requireService } from '../target.js';
import { CONTROL_TIMEOUT_MS } from '../wait.js';

export default class Scale extends BaseCommand {
  static override summary = 'Change the number of instances of a running service.';
  static override description = [
    'New instances start and are waited for until ready; removed ones (the highest SVC_INSTANCE first) stop',
    'gracefully. Instances share the listening socket, so scaling refuses no connection. The config file is not',
    'changed: the next svc start uses its instances again.',
  ].join('\n');
  static override examples = ['<%= config.bin %> scale api 4', '<%= config.bin %> scale api 1'];
  static override args = {
    name: Args.string({ required: true, description: 'service name' }),
    instances: Args.integer({ required: true, min: 1, max: 64, description: 'how many instances (1–64)' }),
  };

  async run(): Promise<InstanceStats[]> {
    const { args, flags } = await this.parse(Scale);
    const config = await this.loadConfig(flags.config);
    requireService(config, args.name);
    const { client } = await connectConfigDaemon(config);
    if (!client) throw new CliError('ENOT_RUNNING', `${args.name} is not running (start it with: svc start ${args.name})`);
    try {
      const stats = (await withSpinner(`scaling ${args.name} to ${args.instances}`, () =>
        client.call('scale', { service: args.name, instances: args.instances }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      )) as InstanceStats[];
      if (!this.jsonEnabled()) this.log(`${args.name} runs ${stats.length} instance${stats.length === 1 ? '' : 's'} (pid ${stats.map((s) => s.pid ?? '-').join(', ')})`);
      return stats;
    } finally {
      await client.close();
    }
  }
}
