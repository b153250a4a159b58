import { CONTROL_TIMEOUT_MS } from '../wait.js';
import { Args, Flags } from '@oclif/core';
import { readLock, resolveRunDir, type LockRecord } from '@svc/lock';
import type { SupervisorStats } from '@svc/supervisor';
import { rowState } from '../to-status-items.js';
import { BaseCommand } from '../base-command.js';
import { connectDaemon, daemonRef, signalDaemon, type DaemonRef } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { configDaemon, requireService } from '../target.js';
import { waitFor } from '../wait.js';
import { clearFailed } from '../final-status.js';

export default class Stop extends BaseCommand {
  static override summary = 'Stop a service gracefully and wait until it is stopped and its lock released.';
  static override description = [
    'The daemon sends the stop signal (and a shutdown message to Node services), waits stop.timeout, then',
    'SIGKILLs the process group. The daemon exits when it runs nothing else. If the daemon does not answer,',
    'svc signals it using its lock record — never a PID whose start time does not match.',
  ].join('\n');
  static override examples = ['<%= config.bin %> stop api', '<%= config.bin %> stop --all', '<%= config.bin %> stop worker   # an ad-hoc service'];
  static override args = { name: Args.string({ description: 'service name' }) };
  static override flags = {
    all: Flags.boolean({ description: 'stop every service of the config' }),
    timeout: Flags.integer({ description: 'ms to wait for an unresponsive daemon to exit after SIGTERM before SIGKILL', default: 15_000 }),
  };

  async run(): Promise<{ stopped: string[]; notRunning: string[] }> {
    const { args, flags } = await this.parse(Stop);
    if (!args.name && !flags.all) throw new CliError('EUSAGE', 'name a service, or pass --all');

    // An ad-hoc service has its own daemon; a config service lives in the config's daemon.
    const adHoc = args.name ? daemonRef(`adhoc-${args.name}`) : null;
    let ref: DaemonRef;
    let names: string[];
    const adHocStatus = adHoc ? await readLock({ name: adHoc.lockName, dir: resolveRunDir() }) : null;
    if (adHoc && adHocStatus && adHocStatus.state !== 'free' && !flags.config) {
      ref = adHoc;
      names = [args.name!];
    } else {
      const config = await this.loadConfig(flags.config);
      if (args.name) requireService(config, args.name);
      ref = configDaemon(config);
      names = flags.all ? Object.keys(config.services) : [args.name!];
    }

    const stopped: string[] = [];
    const notRunning: string[] = [];
    const client = await connectDaemon(ref);
    if (client) {
      try {
        // Every state first, in one call: the daemon exits once its last running service has
        // stopped, so nothing may be asked of it after that stop.
        const rows = (await client.call('status', {})) as SupervisorStats[];
        for (const name of names) {
          const before = rows.find((r) => r.name === name);
          const state = before ? rowState(before) : 'stopped';
          if (state === 'stopped' || state === 'failed') {
            notRunning.push(name);
            continue;
          }
          await withSpinner(`stopping ${name}`, () => client.call('stop', { service: name }, { timeoutMs: CONTROL_TIMEOUT_MS }));
          stopped.push(name);
        }
      } finally {
        await client.close();
      }
    } else {
      const lock = await readLock({ name: ref.lockName, dir: resolveRunDir() });
      if (lock.state === 'held' && lock.holder) {
        await this.stopUnresponsive(ref, lock.holder, flags.timeout);
        stopped.push(...names);
      } else {
        notRunning.push(...names);
      }
    }
    // A service that gave up is not running; stopping it clears the failure `svc status` shows.
    for (const name of notRunning) clearFailed(ref.id, name);

    // Stopped means: its lock is free (and the daemon gone if it hosts nothing else).
    const runDir = resolveRunDir();
    for (const name of stopped) {
      await waitFor(async () => (await readLock({ name: `svc-service-${name}`, dir: runDir })).state !== 'held', 30_000, `${name}'s lock to be released`);
    }
    if (!this.jsonEnabled()) {
      for (const name of stopped) this.log(`${name} stopped`);
      for (const name of notRunning) this.log(`${name} was not running`);
    }
    return { stopped, notRunning };
  }

  private async stopUnresponsive(ref: DaemonRef, holder: LockRecord, timeoutMs: number): Promise<void> {
    this.warn(`the daemon ${ref.id} (pid ${holder.pid}) does not answer on its socket: sending SIGTERM`);
    if (!signalDaemon(holder, 'SIGTERM')) return;
    const runDir = resolveRunDir();
    const gone = async () => (await readLock({ name: ref.lockName, dir: runDir })).state !== 'held';
    if (await waitFor(gone, timeoutMs, 'the daemon to exit', { throwOnTimeout: false })) return;
    this.warn(`the daemon did not exit within ${timeoutMs} ms: sending SIGKILL`);
    signalDaemon(holder, 'SIGKILL');
    await waitFor(gone, 5_000, 'the daemon to exit after SIGKILL');
  }
}
