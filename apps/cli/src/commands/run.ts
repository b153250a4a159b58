import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import type { ForegroundOutcome } from '../foreground.js';
import { requireService } from '../project.js';
import { DAEMON_SIGNALS } from '../signals.js';

export default class Run extends BaseCommand {
  static override summary = 'Run the svc daemon in the foreground for a config (containers, units of your own).';
  static override description = [
    '`svc run <name>` supervises that one service of the config, `svc run` every service of it, until they stop.',
    DAEMON_SIGNALS,
    'The daemon serves svc commands meanwhile, as the on-demand one would. Exits 0 when every service ended',
    "cleanly, 1 when one failed. A service's `watch` is left off unless --watch is given: restarts on file changes",
    'are for development, not for a container or a unit.',
  ].join('\n');
  static override examples = ['<%= config.bin %> run api', '<%= config.bin %> run --config /srv/app/svc.config.yaml', '<%= config.bin %> run api --watch'];
  static override args = { name: Args.string({ description: 'service name in the config (default: all of them)' }) };
  static override flags = { watch: Flags.boolean({ description: 'let services with `watch` restart on file changes (off by default under svc run)' }) };

  async run(): Promise<ForegroundOutcome> {
    const { args, flags } = await this.parse(Run);
    const config = await this.loadConfig(flags.config);
    if (args.name) requireService(config, args.name);
    const names = args.name ? [args.name] : Object.keys(config.services);
    const { runForeground, withoutWatch } = await import('../foreground.js');
    const watches = flags.watch;
    const unwatched = names.filter((name) => !watches && config.services[name]!.watch);
    if (unwatched.length > 0 && !this.jsonEnabled()) this.log(`watch is off under svc run for ${unwatched.join(', ')} (svc run --watch turns it on)`);
    const outcome = await runForeground(
      names.map((name) => ({ project: config.project, service: name, definition: watches ? config.services[name]! : withoutWatch(config.services[name]!) })),
      { takeOver: false, log: (line) => !this.jsonEnabled() && this.log(line), warn: (line) => this.warn(line), watches: () => watches },
    );
    if (outcome.failed) process.exitCode = 1;
    return outcome;
  }
}
