import { existsSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { adhocProject, MAX_LOG_LINES, serviceLogFile, tailLog, type LogsStream, type ProjectRef } from '@svc/supervisor/client';
import { BaseCommand } from '../base-command.js';
import { connect, paths } from '../daemon.js';
import { CliError } from '../errors.js';
import { findProject, projectHosting } from '../project.js';

export default class Logs extends BaseCommand {
  static override summary = "Show the last lines of a service's log; -f follows.";
  static override description = [
    'While the daemon runs the service, lines come from it (tail and follow without a gap or a repeat, across',
    'rotations). Otherwise the last lines are read from the log files on disk. With --json, -f prints one',
    'JSON object per line as it comes ({"line": "…"}); without -f, one object with every line ({"lines": […]}).',
  ].join('\n');
  static override examples = ['<%= config.bin %> logs api', '<%= config.bin %> logs api -n 200 --stderr', '<%= config.bin %> logs api -f', '<%= config.bin %> logs api --events'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };
  static override flags = {
    lines: Flags.integer({ char: 'n', description: 'how many lines', default: 50, min: 0, max: MAX_LOG_LINES }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until interrupted' }),
    stderr: Flags.boolean({ description: 'stderr instead of stdout', exclusive: ['stdout', 'events'] }),
    stdout: Flags.boolean({ description: 'stdout (the default)', exclusive: ['stderr', 'events'] }),
    events: Flags.boolean({ description: "the supervisor's own event log (JSON lines)", exclusive: ['stderr', 'stdout'] }),
  };

  async run(): Promise<{ lines: string[] } | undefined> {
    const { args, flags } = await this.parse(Logs);
    const stream: LogsStream = flags.events ? 'events' : flags.stderr ? 'stderr' : 'stdout';
    const found = findProject(flags.config);
    const lines: string[] = [];
    const connection = await connect();
    if (connection) {
      try {
        const project = await projectHosting(connection, found, args.name);
        const hosted = await connection.client.call('status', { project: project.id, service: args.name });
        if (hosted.length > 0) {
          await new Promise<void>((resolve, reject) => {
            connection.client
              .subscribe('logs', { project, service: args.name, stream, lines: flags.lines, follow: flags.follow }, (event) => this.print(event.line, lines, flags.follow), {
                onEnd: (error) => (error ? reject(error) : resolve()),
              })
              .catch(reject);
            if (flags.follow) process.once('SIGINT', () => resolve());
          });
          // Followed lines were printed as they came (print): nothing is held back for the end.
          return flags.follow ? undefined : { lines };
        }
      } finally {
        await connection.close();
      }
    }
    // Not hosted: the files on disk, of this project or else of the ad-hoc project.
    const file = [found.project, adhocProject].map((p: ProjectRef) => serviceLogFile(paths(), p.id, args.name, stream)).find((f) => existsSync(f));
    if (file === undefined) throw new CliError('ENOT_RUNNING', `no logs for ${args.name} yet: it has not run here`);
    if (flags.follow) this.warn(`${args.name} is not running: showing its log file, not following`);
    for (const line of tailLog(file, flags.lines)) this.print(line, lines);
    return { lines };
  }

  private print(line: string, into: string[], follow = false): void {
    if (!this.jsonEnabled()) this.log(line);
    // A follow never ends by itself: each line is one JSON object of its own, printed at once.
    else if (follow) process.stdout.write(`${JSON.stringify({ line })}\n`);
    else into.push(line);
  }
}
