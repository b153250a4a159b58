import { Flags } from '@oclif/core';
import type { ExportedService, ServiceTarget } from '@svc/supervisor';
import { configProject } from '@svc/supervisor/client';
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
    "A service's `watch` is left off unless it is also named by --watch (`svc install --watch`).",
    DAEMON_SIGNALS,
  ].join('\n');
  static override examples = ['<%= config.bin %> daemon run', '<%= config.bin %> daemon run --service api@/srv/app/svc.config.yaml'];
  static override flags = {
    service: Flags.string({ description: 'a service to start, as <name>@<config file>; repeatable (default: none, the daemon starts empty)', multiple: true }),
    watch: Flags.string({ description: 'a service of --service whose `watch` applies, as <name>@<config file>; repeatable (default: none: no service watches)', multiple: true }),
  };

  async run(): Promise<ForegroundOutcome> {
    const { flags } = await this.parse(DaemonRun);
    const initial: ExportedService[] = [];
    const { runForeground, withoutWatch } = await import('../../foreground.js');
    const watched = new Set<string>();
    for (const ref of flags.watch ?? []) {
      const entry = parseServiceRef(ref);
      if (!entry) throw new CliError('EUSAGE', `--watch ${JSON.stringify(ref)}: expected <name>@<absolute path of its config file>`);
      // By its config's real path, as the project names it.
      watched.add(`${entry.service}@${configProject(entry.config).config}`);
    }
    const watches = (target: ServiceTarget) => target.project.config !== null && watched.has(`${target.service}@${target.project.config}`);
    for (const ref of flags.service ?? []) {
      const entry = parseServiceRef(ref);
      if (!entry) throw new CliError('EUSAGE', `--service ${JSON.stringify(ref)}: expected <name>@<absolute path of its config file>`);
      try {
        const config = await this.loadConfig(entry.config, { fresh: true });
        const definition = config.services[entry.service];
        if (!definition) throw new Error(`no service "${entry.service}" in it any more`);
        const target = { project: config.project, service: entry.service };
        initial.push({ ...target, definition: watches(target) ? definition : withoutWatch(definition) });
      } catch (error) {
        // One broken config must not keep the others from starting: said, and skipped.
        this.warn(`not starting ${entry.service} of ${entry.config}: ${(error as Error).message}`);
      }
    }
    const outcome = await runForeground(initial, { takeOver: true, log: (line) => !this.jsonEnabled() && this.log(line), warn: (line) => this.warn(line), watches });
    if (outcome.failed) process.exitCode = 1;
    return outcome;
  }
}
