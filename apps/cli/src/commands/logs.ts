import { Args, Flags } from '@oclif/core';
import { MAX_LOG_LINES } from '@svc/supervisor/client';
import { BaseCommand } from '../base-command.js';
import { connect } from '../daemon.js';
import { flushedLine, flushLogs, type Flushed } from '../logs-flush.js';
import { follow } from '../logs-follow.js';
import { formatLine, jsonEntry, lineFormat } from '../logs-format.js';
import { caughtUp, fileLines, history } from '../logs-history.js';
import { fileStreams, logsQuery, type LogEntry } from '../logs-query.js';
import { logTargets } from '../logs-targets.js';
import { useColour } from '../output.js';
import { findProject } from '../project.js';

export default class Logs extends BaseCommand {
  static override summary = "Show the last lines of a service's logs, or of every service of the project; -f follows.";
  static override description = [
    "A service's stdout and stderr together, in the order svc received the lines, stderr lines marked `err |`; --stdout or",
    '--stderr shows one of them. Without a name: every service of the project found from here (of the ad-hoc project',
    'without a config), interleaved in time order, each line after its service name (and instance, `api#1`, when it',
    'runs several), coloured per service on a terminal. svc stores the time it received each line with the line',
    '(`<ISO time> <line>` in the files), so --since, --timestamps and the interleaving work from the files too, when the',
    'daemon does not run the services. -n counts lines of the merged output; -f follows every service the daemon runs',
    '(lines kept in memory, then new ones, without a gap or a repeat, across rotations); when -f cannot keep up with',
    "the output (a slow terminal or pipe), the daemon leaves lines out rather than cut it off, and a line on stderr says",
    'how many ("svc logs: api: 312 lines not shown: …"; with --json { service, skipped } on stdout). --flush empties the logs',
    "(current and rotated files) instead, safely while the service runs (PM2's flush); the event log is kept. With",
    '--json: each line is { service, instance?, stream, time, line } — with -f one such object per line as it comes;',
    'without, one object { lines: [the texts], entries: [the objects] }; with --flush, { flushed: [{ service, files, bytes }] }.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs api',
    '<%= config.bin %> logs -f',
    '<%= config.bin %> logs api -n 200 --stderr',
    '<%= config.bin %> logs --since 10m --grep "GET /api" --timestamps',
    '<%= config.bin %> logs api --events',
    '<%= config.bin %> logs --flush',
  ];
  static override args = { name: Args.string({ required: false, description: 'service name (default: every service of the project)' }) };
  static override flags = {
    lines: Flags.integer({ char: 'n', description: 'how many lines (of the merged output)', default: 50, min: 0, max: MAX_LOG_LINES }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until interrupted' }),
    stdout: Flags.boolean({ description: 'stdout only', exclusive: ['stderr', 'events'] }),
    stderr: Flags.boolean({ description: 'stderr only', exclusive: ['stdout', 'events'] }),
    events: Flags.boolean({ description: "the supervisor's own event log (JSON lines) of the named service", exclusive: ['stderr', 'stdout', 'flush'] }),
    since: Flags.string({ description: 'only lines received since then: a duration back from now ("30s", "10m", "2h", "1d") or an ISO 8601 time (default: however old)' }),
    grep: Flags.string({ description: 'only lines matching this regular expression (JavaScript syntax; default: every line)' }),
    timestamps: Flags.boolean({ char: 't', description: 'show the time svc received each line' }),
    flush: Flags.boolean({ description: 'empty the logs (current and rotated files) instead of showing them', exclusive: ['follow', 'since', 'grep', 'timestamps'] }),
  };

  async run(): Promise<{ lines: string[]; entries: LogEntry[] } | { flushed: Flushed[] } | undefined> {
    const { args, flags } = await this.parse(Logs);
    const query = logsQuery(flags, args.name);
    const found = findProject(flags.config);
    const connection = await connect();
    try {
      const targets = await logTargets(connection, found, args.name, query.stream);
      if (flags.flush) {
        const flushed = await flushLogs(connection, targets, query.stream);
        if (!this.jsonEnabled()) for (const f of flushed) this.log(flushedLine(f));
        return { flushed };
      }
      const format = lineFormat(targets, {
        services: args.name === undefined,
        markStderr: query.stream === 'output',
        timestamps: flags.timestamps,
        colour: useColour(),
      });
      const entries: LogEntry[] = [];
      const print = (entry: LogEntry) => {
        if (!this.jsonEnabled()) this.log(formatLine(entry, format));
        // A follow never ends by itself: each line is one JSON object of its own, printed at once.
        else if (flags.follow) process.stdout.write(`${JSON.stringify(jsonEntry(entry))}\n`);
        else entries.push(jsonEntry(entry));
      };
      const followed = flags.follow && connection ? targets.filter((t) => t.hosted) : [];
      if (flags.follow && followed.length < targets.length) {
        const idle = targets.filter((t) => !t.hosted).map((t) => t.name);
        this.warn(followed.length === 0 ? `${idle.join(', ')} ${idle.length === 1 ? 'is' : 'are'} not running: showing the log files, not following` : `not following ${idle.join(', ')}: not running`);
      }
      if (connection && followed.length > 0) {
        const idle = targets.filter((t) => !t.hosted);
        const fromFiles = idle.flatMap((t) => fileStreams(query.stream).map((s) => fileLines(t, s, query, flags.lines)));
        const skipped = (service: string, count: number) => {
          if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ service, skipped: count })}\n`);
          // One line as it is (a warning would be wrapped and prefixed), among the lines it concerns.
          else process.stderr.write(`svc logs: ${service}: ${count} line${count === 1 ? '' : 's'} not shown: svc logs -f fell behind the output (they are in the log files)\n`);
        };
        await follow(connection, targets, query, flags.lines, fromFiles, print, skipped);
        // Followed lines were printed as they came: nothing is held back for the end.
        return undefined;
      }
      if (connection) await caughtUp(connection, targets, query.stream);
      for (const entry of history(targets, query, flags.lines)) print(entry);
      return { lines: entries.map((e) => e.line), entries };
    } finally {
      await connection?.close();
    }
  }
}
