import { Args, Flags, type Command } from '@oclif/core';
import { BaseCommand } from './base-command.js';
import { installerOptions } from './install-options.js';
import { printAction } from './installer-output.js';

/** `svc uninstall`, `svc enable` and `svc disable`: the same command over one installer action. */
export function installerActionCommand(action: 'uninstall' | 'enable' | 'disable'): Command.Class {
  const title = `${action[0]!.toUpperCase()}${action.slice(1)}`;
  return class InstallerAction extends BaseCommand {
    static override summary = `${title} the OS service installed for a service of the config.`;
    static override examples = [`<%= config.bin %> ${action} api`, `<%= config.bin %> ${action} api --system --dry-run`];
    static override args = { name: Args.string({ required: true, description: 'service name in the config' }) };
    static override flags = {
      system: Flags.boolean({ description: 'the system-wide service rather than the per-user one' }),
      'dry-run': Flags.boolean({ description: 'print what would be run; change nothing' }),
    };

    async run(): Promise<unknown> {
      // Typed by hand: a class expression that names itself in its own body infers as any.
      const { args, flags } = (await this.parse(InstallerAction)) as {
        args: { name: string };
        flags: { system: boolean; 'dry-run': boolean; config: string | undefined };
      };
      const config = await this.loadConfig(flags.config);
      const { createInstaller } = await import('@svc/installers');
      const installer = createInstaller(await installerOptions(config, args.name, { system: flags.system }));
      const result = await installer[action]({ dryRun: flags['dry-run'] });
      if (!this.jsonEnabled()) printAction(this, result, flags['dry-run']);
      return result;
    }
  };
}
