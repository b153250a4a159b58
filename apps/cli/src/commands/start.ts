import { Args, Flags } from '@oclif/core';
import { adhocProject } from '@svc/supervisor/client';
import { DEFAULTS } from '@svc/supervisor/definition';
import { adhocDefinition, checkAdhocName, interpretersInWords, isScript, READY_FORMS, scriptCommand, scriptName } from '../adhoc.js';
import { BaseCommand } from '../base-command.js';
import { findConfig } from '../config/find.js';
import { onDaemon } from '../daemon.js';
import { CliError } from '../errors.js';
import { ALL } from '../usage.js';
import { withSpinner } from '../output.js';
import { requireService } from '../project.js';
import { startServices, type StartResult } from '../start-service.js';
import { startStack } from '../start-stack.js';

const ADHOC_FLAGS = ['ready', 'instances', 'listen', 'name', 'watch'] as const;

export default class Start extends BaseCommand {
  static override summary = 'Start a service and wait until it has started.';
  static override description = [
    'Asks the per-user svc daemon (started on demand) to start the service of the config found from here, and',
    'waits until it has started: its readiness check passed (notify: READY=1; http: a 2xx; tcp: the port accepts)',
    `and it stayed up for its start window (readiness.startWindow: ${DEFAULTS.readiness.startWindowMs} ms for readiness none, else 0 unless set).`,
    "A process that exits or times out before that is a failed start: svc start prints how it ended and the last",
    "lines of its stderr, exits 1, and the service is failed (no restarts in the background).",
    '',
    'Without a config file: svc start <name> -- <command> [args…] starts an ad-hoc service (in the ad-hoc project)',
    'with this environment and working directory; svc start <script> [--name <name>] [-- args…] runs a script',
    `(${interpretersInWords()}; else the file itself), named after the file.`,
    '--ready, --instances, --listen and --watch shape an ad-hoc service as the config keys readiness, instances, listen and watch do.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> start api',
    '<%= config.bin %> start --all',
    '<%= config.bin %> start worker -- node worker.js --queue emails',
    '<%= config.bin %> start api --ready tcp:3000 -- node server.js',
    '<%= config.bin %> start app.js --name web -i 2 --listen 3000',
    '<%= config.bin %> start app.js --watch',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'service name (or a script to run as an ad-hoc service)' }) };
  static override flags = {
    all: Flags.boolean({ description: 'start every service of the config' }),
    force: Flags.boolean({ description: 'a service already running with another definition (an edited config, another ad-hoc command) is restarted with this one; without it, svc says so and leaves it running' }),
    ready: Flags.string({ description: `ad hoc: when the service counts as ready: ${READY_FORMS} (default: none, with a ${DEFAULTS.readiness.startWindowMs} ms start window)`, helpValue: 'HOW' }),
    name: Flags.string({ description: 'ad hoc, for a script: the service name (default: the file name without its extension)' }),
    instances: Flags.integer({ char: 'i', description: 'ad hoc: how many instances to run (default: 1)' }),
    listen: Flags.string({ description: 'ad hoc: a port svc binds once and hands to every instance as fd 3 (LISTEN_FDS; default: none, each instance binds its own)', helpValue: '[HOST:]PORT' }),
    watch: Flags.boolean({ description: 'ad hoc: restart it when a file under this directory changes (the config key watch: true; node_modules and .git ignored)' }),
  };

  async run(): Promise<StartResult> {
    const { args, flags, argv } = await this.parse(Start);
    // `svc start all`, as PM2 users write it (a service cannot be named all).
    if (args.name === ALL && argv.length <= 1) [args.name, flags.all] = [undefined, true];
    const log = (line: string) => {
      if (!this.jsonEnabled()) this.log(line);
    };
    const dashDash = this.argv.indexOf('--');
    const afterDash = dashDash >= 0 ? this.argv.slice(dashDash + 1) : [];
    // Everything after `--` is the ad-hoc command (or the script's arguments); before it, one name at most.
    const beforeDash = argv.length - afterDash.length;
    if (beforeDash > 1) throw new CliError('EUSAGE', `unexpected arguments: ${argv.slice(1, beforeDash).join(' ')} (to run a command, put it after --: svc start <name> -- <command> [args…])`);
    const script = args.name !== undefined && isScript(args.name) && !(await this.#configHas(args.name, flags.config)) ? args.name : null;
    if (dashDash >= 0 || script !== null) {
      if (flags.all) throw new CliError('EUSAGE', '--all starts the services of the config: it takes no command');
      let name: string;
      let run: { command: string; args: string[] };
      if (script !== null) {
        name = flags.name ?? scriptName(script);
        checkAdhocName(name, flags.name === undefined ? ` (named after ${script}: pass --name)` : '');
        run = scriptCommand(script, afterDash);
      } else {
        if (!args.name) throw new CliError('EUSAGE', 'name the service: svc start <name> -- <command> [args…]');
        if (flags.name !== undefined) throw new CliError('EUSAGE', `--name is for a script (svc start app.js --name api); here the name is ${args.name}`);
        name = args.name;
        checkAdhocName(name, '');
        if (afterDash.length === 0) throw new CliError('EUSAGE', 'no command after --');
        run = { command: afterDash[0]!, args: afterDash.slice(1) };
      }
      const definition = adhocDefinition(name, run, flags);
      return onDaemon((connection) => withSpinner(`starting ${name}`, () => startServices(connection, adhocProject, [{ name, definition }], log, { force: flags.force })));
    }
    const adhocOnly = ADHOC_FLAGS.filter((flag) => flags[flag] !== undefined);
    if (adhocOnly.length > 0) {
      throw new CliError('EUSAGE', `--${adhocOnly[0]} is for an ad-hoc service (svc start <name> -- <command>, or a script): a config's service says it in the config`);
    }
    if (!args.name && !flags.all && findConfig(process.cwd()) === null && flags.config === undefined) {
      throw new CliError('EUSAGE', 'name a service (svc start <name> -- <command>, or a script), or run svc start in a directory with an svc config');
    }
    const config = await this.loadConfig(flags.config, { keepCopy: true });
    // No name: the whole project, in dependency order (docker compose up).
    const names = args.name ? [args.name] : Object.keys(config.services);
    if (names.length === 0) throw new CliError('EUSAGE', `${config.file} has no services`);
    for (const name of names) requireService(config, name);
    return onDaemon((connection) => withSpinner(`starting ${names.join(', ')}`, () => startStack(connection, config.project, config.services, names, log, { force: flags.force })));
  }

  /** A config found from here (or --config) has a service of this name: the name wins over a file. */
  async #configHas(name: string, file: string | undefined): Promise<boolean> {
    if (file === undefined && findConfig(process.cwd()) === null) return false;
    const config = await this.loadConfig(file);
    return Object.hasOwn(config.services, name);
  }
}
