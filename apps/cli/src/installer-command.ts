import { Args, Flags, type Command } from '@oclif/core';
import { BaseCommand } from './base-command.js';
import { changeInstalled, type InstallOutcome } from './install-actions.js';
import { printAction } from './installer-output.js';

const SUMMARY = {
  uninstall: 'Stop a service and no longer start it at login; the daemon unit goes with the last one.',
  enable: 'Start an installed service again at login, and now.',
  disable: 'Keep a service installed but no longer start it at login; stop it now.',
} as const;

/** `svc uninstall`, `svc enable` and `svc disable`: the same command over one change of the installed list. */
export function installerActionCommand(action: 'uninstall' | 'enable' | 'disable'): Command.Class {
  return class InstallerAction extends BaseCommand {
    static override summary = SUMMARY[action];
    static override examples = [`<%= config.bin %> ${action} api`, `<%= config.bin %> ${action} api --system --user www-data --dry-run`];
    static override args = { name: Args.string({ required: true, description: 'service name in the config' }) };
    static override flags = {
      system: Flags.boolean({ description: 'the system-wide unit rather than the per-user one' }),
      user: Flags.string({ description: 'system units: the account the daemon runs as (default: root)' }),
      'dry-run': Flags.boolean({ description: 'print what would be run; change nothing' }),
    };

    async run(): Promise<InstallOutcome> {
      // Typed by hand: a class expression that names itself in its own body infers as any.
      const { args, flags } = (await this.parse(InstallerAction)) as {
        args: { name: string };
        flags: { system: boolean; user: string | undefined; 'dry-run': boolean; config: string | undefined };
      };
      const lines: string[] = [];
      const outcome = await changeInstalled(this, action, args.name, { config: flags.config, system: flags.system, user: flags.user, dryRun: flags['dry-run'] }, (line) => lines.push(line));
      if (!this.jsonEnabled()) {
        printAction(this, outcome.unit, flags['dry-run']);
        for (const line of lines) this.log(line);
        if (outcome.stopped) this.log(`${args.name} stopped`);
      }
      return outcome;
    }
  };
}
