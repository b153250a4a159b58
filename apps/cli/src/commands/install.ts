import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { changeInstalled, type InstallOutcome } from '../install-actions.js';
import { printAction } from '../installer-output.js';

export default class Install extends BaseCommand {
  static override summary = 'Start a service of the config at login (or boot): one OS service, the svc daemon, runs every installed service.';
  static override description = [
    'svc install writes one unit per user — the svc daemon in the foreground (systemd user unit by default,',
    'a launchd agent, a Windows service) — listing the services it starts, each from its config file as the file',
    'is then. Installing more services rewrites that list; it never adds a second daemon. The service is started',
    "now too. Idempotent: installing the same thing twice changes nothing. The service's `watch` (restarts on file",
    'changes, for development) is off under the unit unless --watch is given.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> install api --dry-run',
    '<%= config.bin %> install api',
    'sudo <%= config.bin %> install api --system --user www-data',
    '<%= config.bin %> install api --linger',
    '<%= config.bin %> install api --watch',
  ];
  static override args = { name: Args.string({ required: true, description: 'service name in the config' }) };
  static override flags = {
    system: Flags.boolean({ description: 'a system-wide unit (/etc/systemd/system, LaunchDaemon) running the daemon as --user' }),
    user: Flags.string({ description: 'system units: the account the daemon and its services run as (default: root)' }),
    'dry-run': Flags.boolean({ description: 'print what would be written and run; change nothing' }),
    'no-enable': Flags.boolean({ description: 'list the service but do not start it, now or at login' }),
    linger: Flags.boolean({ description: 'systemd user units: turn on lingering so the daemon starts at boot without a login' }),
    watch: Flags.boolean({ description: "let the service's `watch` restart it on file changes under the unit (off by default for an installed service)" }),
  };

  async run(): Promise<InstallOutcome> {
    const { args, flags } = await this.parse(Install);
    // The service's own line comes after what was done to the unit.
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const outcome = await changeInstalled(
      this,
      'install',
      args.name,
      { config: flags.config, system: flags.system, user: flags.user, dryRun: flags['dry-run'], enable: !flags['no-enable'], linger: flags.linger, watch: flags.watch },
      log,
    );
    if (!this.jsonEnabled()) {
      printAction(this, outcome.unit, flags['dry-run']);
      for (const line of lines) this.log(line);
    }
    return outcome;
  }
}
