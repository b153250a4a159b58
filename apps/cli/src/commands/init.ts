import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { STARTER_CONFIG } from '../starter-config.js';

export default class Init extends BaseCommand {
  static override summary = 'Write a commented starter svc.config.yaml in the working directory.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --force'];
  static override flags = {
    force: Flags.boolean({ description: 'overwrite an existing svc.config.yaml' }),
  };

  async run(): Promise<{ file: string }> {
    const { flags } = await this.parse(Init);
    const file = path.resolve(flags.config ?? 'svc.config.yaml');
    if (existsSync(file) && !flags.force) {
      throw new CliError('EUSAGE', `${file} already exists`, { details: ['Use --force to overwrite it.'] });
    }
    writeFileSync(file, STARTER_CONFIG, { mode: 0o644 });
    if (!this.jsonEnabled()) this.log(`wrote ${file}\nnext: svc config validate && svc start api`);
    return { file };
  }
}
