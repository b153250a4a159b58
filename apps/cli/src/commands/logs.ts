import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { connectConfigDaemon, requireService } from '../target.js';

export default class Logs extends BaseCommand {
  static override summary = 'Show the last lines of a service\'s log; -f follows.';
  static override description = [
    'With the daemon up, lines come from it (tail and follow without a gap or a repeat, across rotations).',
    'With the daemon down, the last lines are read from the log files on disk.',
  ].join('\n');
  static override examples = ['<%= config.bin %> logs api', '<%= config.bin %> logs api -n 200 --stderr', '<%= config.bin %> logs api -f', '<%= config.bin %> logs api --events'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };
  static override flags = {
    lines: Flags.integer({ char: 'n', description: 'how many lines', default: 50, min: 0, max: 100_000 }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until interrupted' }),
    stderr: Flags.boolean({ description: 'stderr instead of stdout', exclusive: ['stdout', 'events'] }),
    stdout: Flags.boolean({ description: 'stdout (the default)', exclusive: ['stderr', 'events'] }),
    events: Flags.boolean({ description: 'the supervisor\'s own event log (JSON lines)', exclusive: ['stderr', 'stdout'] }),
  };

  async run(): Promise<{ lines: string[] }> {
    const { args, flags } = await this.parse(Logs);
    const config = await this.loadConfig(flags.config);
    requireService(config, args.name);
    const stream = flags.events ? 'events' : flags.stderr ? 'stderr' : 'stdout';
    const { client, ref } = await connectConfigDaemon(config);
    const lines: string[] = [];
    if (!client) {
      if (flags.follow) this.warn(`the supervisor of ${args.name} is not running: showing the files, not following`);
      const { readLogFiles } = await import('../log-files.js');
      const fromDisk = readLogFiles(ref.id, args.name, stream, flags.lines);
      if (fromDisk === null) throw new CliError('ENOT_RUNNING', `no logs for ${args.name} yet: it has not run under this config`);
      for (const line of fromDisk) this.print(line, lines);
      return { lines };
    }
    try {
      await new Promise<void>((resolve, reject) => {
        client
          .subscribe('logs', { service: args.name, stream, lines: flags.lines, follow: flags.follow }, (event: unknown) => this.print((event as { line: string }).line, lines), {
            onEnd: (error) => (error ? reject(error) : resolve()),
          })
          .catch(reject);
        if (flags.follow) process.once('SIGINT', () => resolve());
      });
    } finally {
      await client.close();
    }
    return { lines };
  }

  private print(line: string, into: string[]): void {
    if (this.jsonEnabled()) into.push(line);
    else this.log(line);
  }
}
