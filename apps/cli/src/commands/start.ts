import { CONTROL_TIMEOUT_MS } from '../wait.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { IpcClient } from '@svc/ipc';
import type { SupervisorStats } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { daemonRef, ensureDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { formatUptime, withSpinner } from '../output.js';
import { daemonId, dirsFor } from '../paths.js';
import { requireService, startConfigDaemon } from '../target.js';
import { SERVICE_NAME } from '../names.js';

export default class Start extends BaseCommand {
  static override summary = 'Start a service and wait until it is ready.';
  static override description = [
    'Starts the supervisor daemon for the config when none runs, asks it to start the service, and waits',
    'for readiness. On failure prints the reason and the last lines of the service\'s stderr, and exits 1.',
    'Without a config file: svc start <name> -- <command> [args…] (the service gets this environment).',
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

  async run(): Promise<{ started: SupervisorStats[]; alreadyRunning: string[] }> {
    const { args, flags, argv } = await this.parse(Start);
    const dashDash = this.argv.indexOf('--');
    const client = dashDash >= 0 ? await this.adHoc(args.name, this.argv.slice(dashDash + 1)) : null;
    if (client) return this.startNames(client.client, [client.name], daemonId({ adHoc: client.name }));

    const config = await this.loadConfig(flags.config);
    if (argv.length > 1) throw new CliError('EUSAGE', `unexpected arguments: ${argv.slice(1).join(' ')} (to run a command, put it after --)`);
    const names = flags.all ? Object.keys(config.services) : args.name ? [args.name] : [];
    if (names.length === 0) throw new CliError('EUSAGE', 'name a service, or pass --all');
    for (const name of names) requireService(config, name);
    const { client: daemon, ref } = await withSpinner('starting the supervisor', () => startConfigDaemon(config));
    return this.startNames(daemon, names, ref.id);
  }

  private async adHoc(name: string | undefined, command: string[]): Promise<{ client: IpcClient; name: string } | null> {
    if (!name) throw new CliError('EUSAGE', 'name the service: svc start <name> -- <command> [args…]');
    if (!SERVICE_NAME.test(name)) throw new CliError('EUSAGE', `invalid service name ${JSON.stringify(name)}: use 1–64 letters, digits, ".", "_" or "-"`);
    if (command.length === 0) throw new CliError('EUSAGE', 'no command after --');
    const id = daemonId({ adHoc: name });
    const dirs = dirsFor(id);
    mkdirSync(dirs.stateDir, { recursive: true, mode: 0o700 });
    const file = path.join(dirs.stateDir, `definition-${process.pid}.json`);
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    writeFileSync(file, JSON.stringify({ command: command[0], args: command.slice(1), cwd: process.cwd(), env, inheritEnv: false }), { mode: 0o600 });
    const { client } = await withSpinner('starting the supervisor', () => ensureDaemon(daemonRef(id), { kind: 'adhoc', name, definitionFile: file }, process.env));
    return { client, name };
  }

  private async startNames(client: IpcClient, names: string[], id: string): Promise<{ started: SupervisorStats[]; alreadyRunning: string[] }> {
    const started: SupervisorStats[] = [];
    const alreadyRunning: string[] = [];
    try {
      for (const name of names) {
        const [current] = (await client.call('status', { service: name })) as SupervisorStats[];
        if (current && (current.state === 'running' || current.state === 'starting' || current.state === 'standby')) {
          alreadyRunning.push(name);
          if (!this.jsonEnabled()) {
            this.log(current.state === 'standby' ? `${name} is already started: standby for its lock` : `${name} is already running (pid ${current.pid ?? '-'}, up ${formatUptime(current.uptimeMs)})`);
          }
          continue;
        }
        const stats = await withSpinner(`starting ${name}`, () => client.call('start', { service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }) as Promise<SupervisorStats>).catch(
          async (error: unknown) => {
            const fromError = (error as { data?: { stderrTail?: unknown } }).data?.stderrTail;
            const tail = (Array.isArray(fromError) ? fromError.map(String) : await this.stderrTail(client, name, id)).map((l) => `  ${l}`);
            const message = (error as Error).message;
            throw new CliError('ESTART_FAILED', `${name} did not start: ${message}`, {
              cause: error,
              details: tail.length ? [`last lines of ${name}'s stderr:`, ...tail] : [],
            });
          },
        );
        started.push(stats);
        if (!this.jsonEnabled()) {
          this.log(stats.state === 'standby' ? `${name} is standby: another host holds its lock; it runs here when that lease ends` : `${name} is running (pid ${stats.pid ?? '-'})`);
        }
      }
    } finally {
      await client.close();
    }
    return { started, alreadyRunning };
  }

  /** The service's stderr tail, from the daemon, or from the file when the daemon is gone. */
  private async stderrTail(client: IpcClient, name: string, id: string): Promise<string[]> {
    const lines: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client
          .subscribe('logs', { service: name, stream: 'stderr', lines: 20, follow: false }, (event: unknown) => lines.push((event as { line: string }).line), {
            onEnd: () => resolve(),
          })
          .catch(reject);
      });
      return lines;
    } catch (error) {
      // The daemon exits once its last service has failed: the file on disk has the same lines.
      const { readLogFiles } = await import('../log-files.js');
      return readLogFiles(id, name, 'stderr', 20) ?? [`(no log: ${(error as Error).message})`];
    }
  }
}
