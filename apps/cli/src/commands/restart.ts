import { CONTROL_TIMEOUT_MS } from '../wait.js';
import { Args } from '@oclif/core';
import type { SupervisorStats } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { connectConfigDaemon, requireService } from '../target.js';

export default class Restart extends BaseCommand {
  static override summary = 'Stop and start a service; its supervisor stays up.';
  static override examples = ['<%= config.bin %> restart api'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };

  async run(): Promise<SupervisorStats> {
    const { args, flags } = await this.parse(Restart);
    return restartService(this, args.name, flags.config);
  }
}

/** Shared with `reload`, which falls back to it. */
export async function restartService(command: BaseCommand, name: string, configFile: string | undefined): Promise<SupervisorStats> {
  const config = await command.loadConfig(configFile);
  requireService(config, name);
  const { client } = await connectConfigDaemon(config);
  if (!client) throw new CliError('ENOT_RUNNING', `${name} is not running (start it with: svc start ${name})`);
  try {
    const stats = (await withSpinner(`restarting ${name}`, () => client.call('restart', { service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }))) as SupervisorStats;
    if (!command.jsonEnabled()) command.log(`${name} restarted (pid ${stats.pid ?? '-'})`);
    return stats;
  } finally {
    await client.close();
  }
}
