import { Args, Flags } from '@oclif/core';
import { createInstaller } from '@svc/installers';
import { BaseCommand } from '../base-command.js';
import { installerOptions } from '../install-options.js';
import { printAction } from '../installer-output.js';

export default class Uninstall extends BaseCommand {
  static override summary = 'Uninstall the OS service installed for a service of the config.';
  static override examples = ['<%= config.bin %> uninstall api', '<%= config.bin %> uninstall api --system --dry-run'];
  static override args = { name: Args.string({ required: true, description: 'service name in the config' }) };
  static override flags = {
    system: Flags.boolean({ description: 'the system-wide service rather than the per-user one' }),
    'dry-run': Flags.boolean({ description: 'print what would be run; change nothing' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Uninstall);
    const config = await this.loadConfig(flags.config);
    const installer = createInstaller(installerOptions(config, args.name, { system: flags.system }));
    const result = await installer.uninstall({ dryRun: flags['dry-run'] });
    if (!this.jsonEnabled()) printAction(this, result, flags['dry-run']);
    return result;
  }
}
