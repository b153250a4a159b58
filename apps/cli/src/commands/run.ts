import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import type { DaemonOutcome } from '../daemon-main.js';

export default class Run extends BaseCommand {
  static override summary = 'Run the supervisor daemon in the foreground (what service units and containers run).';
  static override description = [
    '`svc run <name>` supervises that one service of the config until it stops or the daemon gets SIGTERM/SIGINT;',
    '`svc run` with no name supervises every service of the config. SIGHUP restarts the services.',
    'Exits 0 when every service ended cleanly, 1 when one failed.',
  ].join('\n');
  static override examples = ['<%= config.bin %> run api', '<%= config.bin %> run --config /srv/app/svc.config.yaml'];
  static override args = { name: Args.string({ description: 'service name in the config (default: all of them)' }) };

  async run(): Promise<DaemonOutcome> {
    const { args, flags } = await this.parse(Run);
    const { runDaemon } = await import('../daemon-main.js');
    // Awaited to its end: resolving run() earlier would let the process exit under the daemon.
    const outcome = await runDaemon({ kind: 'config', configFile: flags.config, name: args.name, spawned: false }, (id, socket) => {
      if (!this.jsonEnabled()) this.log(`svc daemon ${id} (pid ${process.pid}) serving ${socket}`);
    });
    if (Object.values(outcome.services).includes('failed')) process.exitCode = 1;
    return outcome;
  }
}
