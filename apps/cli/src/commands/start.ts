import { Args, Flags } from '@oclif/core';
import { adhocProject } from '@svc/supervisor/client';
import { BaseCommand } from '../base-command.js';
import { onDaemon } from '../daemon.js';
import { CliError } from '../errors.js';
import { ALL } from '../usage.js';
import { withSpinner } from '../output.js';
import { requireService } from '../project.js';
import { startServices, type StartResult } from '../start-service.js';
import { SERVICE_NAME } from '@svc/supervisor/definition';

export default class Start extends BaseCommand {
  static override summary = 'Start a service and wait until it is ready.';
  static override description = [
    'Asks the per-user svc daemon (started on demand) to start the service of the config found from here, and',
    "waits for readiness. On failure prints the reason and the last lines of the service's stderr, and exits 1.",
    'Without a config file: svc start <name> -- <command> [args…] starts an ad-hoc service (in the ad-hoc project)',
    'with this environment and working directory.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> start api',
    '<%= config.bin %> start --all',
    '<%= config.bin %> start worker -- node worker.js --queue emails',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'service name' }) };
  static override flags = {
    all: Flags.boolean({ description: 'start every service of the config' }),
  };

  async run(): Promise<StartResult> {
    const { args, flags, argv } = await this.parse(Start);
    // `svc start all`, as PM2 users write it (a service cannot be named all).
    if (args.name === ALL && argv.length <= 1) [args.name, flags.all] = [undefined, true];
    const log = (line: string) => {
      if (!this.jsonEnabled()) this.log(line);
    };
    const dashDash = this.argv.indexOf('--');
    // Everything after `--` is the ad-hoc command; before it, one name at most.
    const beforeDash = argv.length - (dashDash >= 0 ? this.argv.length - dashDash - 1 : 0);
    if (beforeDash > 1) throw new CliError('EUSAGE', `unexpected arguments: ${argv.slice(1, beforeDash).join(' ')} (to run a command, put it after --: svc start <name> -- <command> [args…])`);
    if (dashDash >= 0) {
      const command = this.argv.slice(dashDash + 1);
      const name = args.name;
      if (!name) throw new CliError('EUSAGE', 'name the service: svc start <name> -- <command> [args…]');
      if (!SERVICE_NAME.test(name)) throw new CliError('EUSAGE', `invalid service name ${JSON.stringify(name)}: use 1–64 letters, digits, ".", "_" or "-"`);
      if (name === ALL) throw new CliError('EUSAGE', `a service cannot be named ${ALL}: svc start ${ALL} means --all`);
      if (command.length === 0) throw new CliError('EUSAGE', 'no command after --');
      const definition = { command: command[0]!, args: command.slice(1), cwd: process.cwd() };
      return onDaemon((connection) => withSpinner(`starting ${name}`, () => startServices(connection, adhocProject, [{ name, definition }], log)));
    }
    const config = await this.loadConfig(flags.config, { keepCopy: true });
    const names = flags.all ? Object.keys(config.services) : args.name ? [args.name] : [];
    if (names.length === 0) throw new CliError('EUSAGE', 'name a service, or pass --all');
    for (const name of names) requireService(config, name);
    const services = names.map((name) => ({ name, definition: config.services[name]! }));
    return onDaemon((connection) => withSpinner(`starting ${names.join(', ')}`, () => startServices(connection, config.project, services, log)));
  }
}
