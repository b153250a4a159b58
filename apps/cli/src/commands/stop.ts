import { Args, Flags } from '@oclif/core';
import { isHolderAlive, readLock, type LockRecord } from '@svc/lock';
import { adhocProject, isFinalState, readDaemonState, rowsAfterDaemon, waitForDaemonGone, type DaemonConnection, type DaemonRow, type ProjectRef } from '@svc/supervisor/client';
import { dependentsOf } from '@svc/supervisor/definition';
import { BaseCommand } from '../base-command.js';
import { clientOptions, connect, CONTROL_TIMEOUT_MS, onDaemon, paths } from '../daemon.js';
import { CliError } from '../errors.js';
import { ALL } from '../usage.js';
import { withSpinner } from '../output.js';
import { findProject, projectHosting, projectLabel, type FoundProject } from '../project.js';

interface StopOutcome {
  stopped: string[];
  notRunning: string[];
  /** Failed (or left by a daemon that died) and now cleared from `svc status`. */
  cleared: string[];
  /** Processes a daemon that died had left running for a service, ended by this stop. */
  leftoversEnded: Array<{ service: string; pids: number[] }>;
}

/** Stops that did not succeed: thrown after the others are reported. */
type StopFailures = unknown[];

export default class Stop extends BaseCommand {
  static override summary = 'Stop a service gracefully and wait until it is stopped and its lock released.';
  // `pm2 delete`: stopping forgets the service (it is no longer listed).
  static override aliases = ['delete'];
  static override description = [
    'The daemon sends the stop signal (and a shutdown message to Node services), waits stop.timeout, then',
    'SIGKILLs the whole process tree. The service is then no longer listed; a service that had failed is',
    'cleared from svc status. The daemon exits when it runs nothing else. If the daemon does not answer,',
    'svc signals it using its lock record — never a PID whose start time does not match.',
  ].join('\n');
  static override examples = ['<%= config.bin %> stop api', '<%= config.bin %> stop --all', '<%= config.bin %> stop worker   # an ad-hoc service, or one of this config'];
  static override args = { name: Args.string({ description: 'service name' }) };
  static override flags = {
    all: Flags.boolean({ description: 'stop every service of this project (the config found from here, or the ad-hoc project)' }),
    timeout: Flags.integer({ description: 'ms to wait for an unresponsive daemon to exit after SIGTERM before SIGKILL', default: 15_000, min: 0, max: 2 ** 31 - 1 }),
  };

  async run(): Promise<StopOutcome> {
    const { args, flags } = await this.parse(Stop);
    // `svc stop all`, as PM2 users write it (a service cannot be named all).
    if (args.name === ALL) [args.name, flags.all] = [undefined, true];
    if (!args.name && !flags.all) throw new CliError('EUSAGE', 'name a service, or pass --all');
    const found = findProject(flags.config);
    const outcome: StopOutcome = { stopped: [], notRunning: [], cleared: [], leftoversEnded: [] };
    const failures: StopFailures = [];
    let connection: DaemonConnection | null;
    try {
      connection = await connect();
    } catch (error) {
      if ((error as { code?: string }).code !== 'EIPC_TIMEOUT') throw error;
      await this.stopUnresponsive(flags.timeout);
      outcome.stopped.push(...(args.name ? [args.name] : []));
      return this.report(outcome);
    }
    if (connection === null) {
      // No daemon: a failure it left (failed, or "supervisor died") is cleared by a daemon started for it.
      if (!this.keptRecord(found, args.name)) {
        outcome.notRunning.push(...(args.name ? [args.name] : []));
        if (args.name) await this.checkName(found, args.name);
        return this.report(outcome, found);
      }
      failures.push(...(await onDaemon((c) => this.stopOn(c, found, args.name, outcome))));
    } else {
      try {
        failures.push(...(await this.stopOn(connection, found, args.name, outcome)));
      } finally {
        await connection.close();
      }
    }
    // Stopped means: nothing of it runs, its lock is free, and the daemon gone if it hosts nothing else.
    if (outcome.stopped.length > 0 || outcome.cleared.length > 0) await this.waitIfIdle();
    if (args.name && outcome.notRunning.includes(args.name)) await this.checkName(found, args.name);
    // Every stop was asked for and each that worked is said; then the first that did not is the error.
    if (failures.length > 0) {
      if (!this.jsonEnabled()) this.report(outcome);
      throw failures[0];
    }
    return this.report(outcome, found);
  }

  private async stopOn(connection: DaemonConnection, found: FoundProject, name: string | undefined, outcome: StopOutcome): Promise<StopFailures> {
    let targets: Array<{ project: ProjectRef; name: string }>;
    let after: (name: string) => string[] = () => [];
    if (name) {
      targets = [{ project: await projectHosting(connection, found, name), name }];
    } else {
      const rows = await connection.client.call('status', { project: found.project.id });
      targets = [...new Set(rows.map((r) => r.name))].map((n) => ({ project: found.project, name: n }));
      after = await this.dependentsFirst(found, rows);
    }
    // Each as soon as what depends on it is stopped (all at once without dependsOn): the daemon
    // exits when nothing runs, so every call is made while something still runs.
    const label = targets.length === 1 ? targets[0]!.name : `${targets.length} services`;
    const stops = new Map<string, Promise<Awaited<ReturnType<typeof stopOne>>>>();
    const stopOne = async (t: { project: ProjectRef; name: string }) => {
      // Every stop is listed before any looks for those it waits for.
      await Promise.resolve();
      await Promise.allSettled(after(t.name).map((dependent) => stops.get(dependent) ?? Promise.resolve()));
      return connection.client.call('stop', { project: t.project, service: t.name }, { timeoutMs: CONTROL_TIMEOUT_MS });
    };
    for (const t of targets) stops.set(t.name, stopOne(t));
    const results = await withSpinner(`stopping ${label}`, () => Promise.allSettled([...stops.values()]));
    const failures: StopFailures = [];
    results.forEach((result, i) => {
      const name = targets[i]!.name;
      if (result.status === 'fulfilled') {
        (result.value.wasActive ? outcome.stopped : outcome.cleared).push(name);
        const pids = result.value.leftoversStopped ?? [];
        if (pids.length > 0) outcome.leftoversEnded.push({ service: name, pids });
      }
      else if ((result.reason as { code?: string }).code === 'EUNKNOWN_SERVICE') outcome.notRunning.push(name);
      else failures.push(result.reason);
    });
    return failures;
  }

  /**
   * For a whole project: the active services that must be stopped before each (its dependents, by
   * the config's dependsOn). A service that runs nothing (failed, completed) waits for nothing and
   * nothing waits for it, so no stop is left to make once nothing runs.
   */
  private async dependentsFirst(found: FoundProject, rows: DaemonRow[]): Promise<(name: string) => string[]> {
    const config = found.configFile ? await this.loadConfig(found.configFile).catch(() => null) : null;
    if (!config) return () => [];
    const active = new Set(rows.filter((r) => !isFinalState(r.service?.state ?? r.state)).map((r) => r.name));
    return (name) => (active.has(name) ? dependentsOf(config.services, name).filter((d) => active.has(d)) : []);
  }

  /** Whether the state file of a daemon that is gone keeps a row for this service (or, for --all, this project). */
  private keptRecord(found: FoundProject, name: string | undefined): boolean {
    const { state } = readDaemonState(paths().stateFile);
    if (!state) return false;
    const projects = name ? [found.project.id, adhocProject.id] : [found.project.id];
    return rowsAfterDaemon(state).some((row) => projects.includes(row.project.id) && (name === undefined || row.name === name));
  }

  /** A name that is in no running project: a typo when the config (if it loads) does not have it either. */
  private async checkName(found: FoundProject, name: string): Promise<void> {
    if (!found.configFile) return;
    const config = await this.loadConfig(found.configFile).catch(() => null);
    if (config && !config.services[name]) {
      throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'}), nor an ad-hoc one running`);
    }
  }

  private async waitIfIdle(): Promise<void> {
    const connection = await connect().catch(() => null);
    if (connection) {
      const active = (await connection.client.call('status', {})).some((r) => !isFinalState(r.service?.state ?? r.state));
      await connection.close();
      if (active) return;
    }
    if (!(await waitForDaemonGone(clientOptions(), 30_000))) throw new CliError('ETIMEOUT', 'timed out after 30000 ms waiting for the idle daemon to exit');
  }

  private report(outcome: StopOutcome, found?: FoundProject): StopOutcome {
    if (!this.jsonEnabled()) {
      for (const name of outcome.stopped) {
        const left = outcome.leftoversEnded.find((l) => l.service === name);
        this.log(left ? `${name} stopped: ended ${left.pids.length} of its processes its dead daemon had left running (pids ${left.pids.join(', ')})` : `${name} stopped`);
      }
      for (const name of outcome.cleared) this.log(`${name} was not running (its failure is cleared)`);
      for (const name of outcome.notRunning) this.log(`${name} was not running`);
      if (found && outcome.stopped.length + outcome.cleared.length + outcome.notRunning.length === 0) this.log(`nothing runs in ${projectLabel(found.project)}`);
    }
    return outcome;
  }

  private async stopUnresponsive(timeoutMs: number): Promise<void> {
    const p = paths();
    const lock = await readLock({ name: p.lockName, dir: p.lockDir });
    if (lock.state !== 'held' || !lock.holder) return;
    const holder: LockRecord = lock.holder;
    this.warn(`the svc daemon (pid ${holder.pid}) does not answer on its socket: sending SIGTERM`);
    if (!signalHolder(holder, 'SIGTERM')) return;
    if (await waitForDaemonGone(clientOptions(), timeoutMs)) return;
    this.warn(`the daemon did not exit within ${timeoutMs} ms: sending SIGKILL`);
    signalHolder(holder, 'SIGKILL');
    if (!(await waitForDaemonGone(clientOptions(), 5_000))) throw new CliError('ETIMEOUT', 'timed out after 5000 ms waiting for the daemon to exit after SIGKILL');
  }
}

/** Sends `signal` to a lock's holder, only if that record's process (pid and start time) is alive. */
function signalHolder(holder: LockRecord, signal: NodeJS.Signals): boolean {
  if (!isHolderAlive(holder)) return false;
  process.kill(holder.pid, signal);
  return true;
}
