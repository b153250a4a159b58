import { CONTROL_TIMEOUT_MS } from '../wait.js';
import { Args } from '@oclif/core';
import type { InstanceStats } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { connectConfigDaemon, requireService } from '../target.js';

export default class Restart extends BaseCommand {
  static override summary = 'Stop and start a service; its supervisor stays up (with listen, so does its socket).';
  static override examples = ['<%= config.bin %> restart api'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };

  async run(): Promise<InstanceStats[]> {
    const { args, flags } = await this.parse(Restart);
    const config = await this.loadConfig(flags.config);
    requireService(config, args.name);
    const { client } = await connectConfigDaemon(config);
    if (!client) throw new CliError('ENOT_RUNNING', `${args.name} is not running (start it with: svc start ${args.name})`);
    try {
      const stats = (await withSpinner(`restarting ${args.name}`, () => client.call('restart', { service: args.name }, { timeoutMs: CONTROL_TIMEOUT_MS }))) as InstanceStats[];
      if (!this.jsonEnabled()) this.log(`${args.name} restarted (pid ${stats.map((s) => s.pid ?? '-').join(', ')})`);
      return stats;
    } finally {
      await client.close();
    }
  }
}
