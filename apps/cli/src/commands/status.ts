import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { useColour } from '../output.js';
import type { StatusItem } from '../status-item.js';
import { collectStatus, formatStatus } from '../status-report.js';

export default class Status extends BaseCommand {
  static override summary = 'Show every service the svc daemon supervises, grouped by project (or one service).';
  // What a PM2 user types first.
  static override aliases = ['ls', 'list', 'ps'];
  static override description = [
    'Every project the per-user daemon hosts (each config file, and the ad-hoc project), one row per service.',
    'With no daemon running, what the last one left: services that failed, or — if it died — what it ran then.',
    'A service that gave up is shown failed with its reason and the last lines of its stderr.',
  ].join('\n');
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status api', '<%= config.bin %> status --json'];
  static override args = { name: Args.string({ description: 'only services of this name (in any project)' }) };

  async run(): Promise<StatusItem[]> {
    const { args } = await this.parse(Status);
    const { items, warnings } = await collectStatus(args.name);
    if (!this.jsonEnabled()) {
      for (const warning of warnings) this.warn(warning);
      this.log(formatStatus(items, useColour()));
    }
    return items;
  }
}
