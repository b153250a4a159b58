import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { installerOptions } from '../install-options.js';
import { printAction } from '../installer-output.js';

export default class Install extends BaseCommand {
  static override summary = 'Install a service of the config as an OS service (systemd user unit by default, launchd agent, Windows service).';
  static override description =
    'The unit runs `svc run <name> --config <file>` with the absolute node binary. Idempotent: installing the same thing twice changes nothing.';
  static override examples = [
    '<%= config.bin %> install api --dry-run',
    '<%= config.bin %> install api',
    'sudo <%= config.bin %> install api --system --user www-data',
    '<%= config.bin %> install api --linger',
  ];
  static override args = { name: Args.string({ required: true, description: 'service name in the config' }) };
  static override flags = {
    system: Flags.boolean({ description: 'a system-wide service (/etc/systemd/system, LaunchDaemon) instead of a per-user one' }),
    user: Flags.string({ description: 'system units: the account the service runs as' }),
    'dry-run': Flags.boolean({ description: 'print what would be written and run; change nothing' }),
    'no-enable': Flags.boolean({ description: 'write the definition but do not enable or start it' }),
    linger: Flags.boolean({ description: 'systemd user units: turn on lingering so the service starts at boot without a login' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Install);
    const config = await this.loadConfig(flags.config);
    const { createInstaller } = await import('@svc/installers');
    const installer = createInstaller(await installerOptions(config, args.name, { system: flags.system, user: flags.user }));
    const result = await installer.install({ enable: !flags['no-enable'], linger: flags.linger, dryRun: flags['dry-run'] });
    if (!this.jsonEnabled()) printAction(this, result, flags['dry-run']);
    return result;
  }
}
