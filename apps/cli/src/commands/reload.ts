import { Args } from '@oclif/core';
import type { SupervisorStats } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { restartService } from './restart.js';

export default class Reload extends BaseCommand {
  static override summary = 'Replace a service\'s instances with zero downtime; falls back to restart with a warning.';
  static override description = [
    'A zero-downtime reload needs the supervisor to own the listening socket (`listen` in the config) and hand it',
    'to the replacement before the old instance drains. This version does not hand sockets over yet, so reload',
    'restarts the service and says so.',
  ].join('\n');
  static override examples = ['<%= config.bin %> reload api'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };

  async run(): Promise<SupervisorStats & { reload: 'restart' }> {
    const { args, flags } = await this.parse(Reload);
    this.warn(`${args.name}: zero-downtime reload is not available in this version (no socket handoff yet); restarting instead`);
    return { ...(await restartService(this, args.name, flags.config)), reload: 'restart' };
  }
}
