import { Args } from '@oclif/core';
import { SERVICE_DEFAULTS } from '@svc/supervisor/definition';
import type { DaemonRow } from '@svc/supervisor/client';
import { BaseCommand } from '../base-command.js';
import { CONTROL_TIMEOUT_MS } from '../daemon.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { hostedTarget } from '../target.js';

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
    instances: Args.integer({ required: true, description: `how many instances (1–${SERVICE_DEFAULTS.maxInstances})` }),
  };

  async run(): Promise<DaemonRow[]> {
    const { args, flags } = await this.parse(Scale);
    const max = SERVICE_DEFAULTS.maxInstances;
    if (args.instances < 1 || args.instances > max) throw new CliError('EUSAGE', `instances must be 1–${max} (got ${args.instances})`);
    const { connection, project } = await hostedTarget(flags.config, args.name);
    try {
      const rows = await withSpinner(`scaling ${args.name} to ${args.instances}`, () =>
        connection.client.call('scale', { project, service: args.name, instances: args.instances }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      );
      if (!this.jsonEnabled()) this.log(`${args.name} runs ${rows.length} instance${rows.length === 1 ? '' : 's'} (pid ${rows.map((s) => s.pid ?? '-').join(', ')})`);
      return rows;
    } finally {
      await connection.close();
    }
  }
}
