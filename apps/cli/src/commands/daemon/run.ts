import { Flags } from '@oclif/core';
import type { ExportedService } from '@svc/supervisor';
import { BaseCommand } from '../../base-command.js';
import type { ForegroundOutcome } from '../../foreground.js';
import { CliError } from '../../errors.js';
import { parseServiceRef } from '../../installed.js';
import { DAEMON_SIGNALS } from '../../signals.js';

export default class DaemonRun extends BaseCommand {
  static override summary = 'Run the per-user daemon in the foreground: what the unit `svc install` writes runs.';
  static override description = [
    'Starts each --service <name>@<config> (what `svc install` lists) from its config file as it is now. A daemon',
    'already running (started on demand by svc) hands its services over first: they restart once, under this one.',
    DAEMON_SIGNALS,
  ].join('\n');
  static override examples = ['<%= config.bin %> daemon run', '<%= config.bin %> daemon run --service api@/srv/app/svc.config.yaml'];
  static override flags = {
    service: Flags.string({ description: 'a service to start, as <name>@<config file>; repeatable (default: none, the daemon starts empty)', multiple: true }),
  };

  async run(): Promise<ForegroundOutcome> {
    const { flags } = await this.parse(DaemonRun);
    const initial: ExportedService[] = [];
    for (const ref of flags.service ?? []) {
      const entry = parseServiceRef(ref);
      if (!entry) throw new CliError('EUSAGE', `--service ${JSON.stringify(ref)}: expected <name>@<absolute path of its config file>`);
      try {
        const config = await this.loadConfig(entry.config, { fresh: true });
        const definition = config.services[entry.service];
        if (!definition) throw new Error(`no service "${entry.service}" in it any more`);
        initial.push({ project: config.project, service: entry.service, definition });
      } catch (error) {
        // One broken config must not keep the others from starting: said, and skipped.
        this.warn(`not starting ${entry.service} of ${entry.config}: ${(error as Error).message}`);
      }
    }
    const { runForeground } = await import('../../foreground.js');
    const outcome = await runForeground(initial, { takeOver: true, log: (line) => !this.jsonEnabled() && this.log(line), warn: (line) => this.warn(line) });
    if (outcome.failed) process.exitCode = 1;
    return outcome;
  }
}
