import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { useColour } from '../output.js';
import type { StatusItem } from '../status-item.js';
import { collectStatus, formatStatus } from '../status-report.js';

export default class Status extends BaseCommand {
  static override summary = 'Show every supervised service on this machine (or one), from every daemon.';
  static override description =
    'Asks every daemon found in the run directory, in parallel, with a short timeout. A daemon that died is shown as such and its stale files are removed. A service that gave up is shown failed with its reason and the last lines of its stderr.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status api', '<%= config.bin %> status --json'];
  static override args = { name: Args.string({ description: 'only this service' }) };

  async run(): Promise<StatusItem[]> {
    const { args } = await this.parse(Status);
    const items = await collectStatus(args.name);
    if (!this.jsonEnabled()) this.log(formatStatus(items, useColour()));
    return items;
  }
}
