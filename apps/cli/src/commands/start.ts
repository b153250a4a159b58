import { CONTROL_TIMEOUT_MS } from '../wait.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { IpcClient } from '@svc/ipc';
import type { InstanceStats } from '@svc/supervisor';
import { rowState } from '../to-status-items.js';
import { alreadyRunningLine, runningLine, startFailed } from '../start-messages.js';
import { BaseCommand } from '../base-command.js';
import { daemonRef, ensureDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
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

  async run(): Promise<{ started: InstanceStats[]; alreadyRunning: string[] }> {
    const { args, flags, argv } = await this.parse(Start);
    const dashDash = this.argv.indexOf('--');
    const client = dashDash >= 0 ? await this.adHoc(args.name, this.argv.slice(dashDash + 1)) : null;
    if (client) return this.startNames(client.client, [client.name], daemonId({ adHoc: client.name }));

    const config = await this.loadConfig(flags.config);
    if (argv.length > 1) throw new CliError('EUSAGE', `unexpected arguments: ${argv.slice(1).join(' ')} (to run a command, put it after --)`);
    const names = flags.all ? Object.keys(config.services) : args.name ? [args.name] : [];
    if (names.length === 0) throw new CliError('EUSAGE', 'name a service, or pass --all');
    for (const name of names) requireService(config, name);
    const id = daemonId({ configFile: config.file });
    const { client: daemon, ref, spawned } = await withSpinner('starting the supervisor', () => startConfigDaemon(config)).catch(async (error: unknown) => {
      // The daemon `svc start <name>` spawned early (prestart.ts) ends by itself once its only
      // service has given up — possibly before this command connected: report the service.
      throw (await this.failedEarly(id, names)) ?? error;
    });
    // A daemon this command spawned runs only what this command asked for: never "already running".
    return this.startNames(daemon, names, ref.id, spawned);
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

  private async startNames(client: IpcClient, names: string[], id: string, fresh = false): Promise<{ started: InstanceStats[]; alreadyRunning: string[] }> {
    const started: InstanceStats[] = [];
    const alreadyRunning: string[] = [];
    try {
      for (const name of names) {
        const rows = (await client.call('status', { service: name })) as InstanceStats[];
        const current = rows.find((r) => r.state === 'running') ?? rows[0];
        const state = current ? rowState(current) : 'stopped';
        // A start under way (another `svc start`, or the daemon this one spawned early) is
        // joined below: this command too waits until the service is ready.
        if (fresh && current && state === 'failed') {
          // The early start (prestart.ts) already gave up: report it rather than try again.
          throw startFailed(name, current.failure ?? 'it gave up', await this.stderrTail(client, name, id));
        }
        if (!fresh && current && (state === 'running' || state === 'standby')) {
          alreadyRunning.push(name);
          if (!this.jsonEnabled()) this.log(alreadyRunningLine(name, current));
          continue;
        }
        const stats = await withSpinner(`starting ${name}`, () => client.call('start', { service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }) as Promise<InstanceStats[]>).catch(
          async (error: unknown) => {
            const fromError = (error as { data?: { stderrTail?: unknown } }).data?.stderrTail;
            const tail = Array.isArray(fromError) ? fromError.map(String) : await this.stderrTail(client, name, id);
            throw startFailed(name, (error as Error).message, tail, error);
          },
        );
        started.push(...stats);
        if (!this.jsonEnabled()) this.log(runningLine(name, stats));
      }
    } finally {
      await client.close();
    }
    return { started, alreadyRunning };
  }

  /** A start failure the daemon recorded (failed.json) for one of `names`, as the error to show. */
  private async failedEarly(id: string, names: string[]): Promise<CliError | null> {
    const { readAllFailed } = await import('../final-status.js');
    const record = readAllFailed().find((r) => r.id === id);
    const failed = record?.services.find((s) => names.includes(s.name));
    if (!failed) return null;
    const { readLogFiles } = await import('../log-files.js');
    return startFailed(failed.name, failed.failure ?? 'it gave up', readLogFiles(id, failed.name, 'stderr', 20) ?? []);
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

