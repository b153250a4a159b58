import { existsSync } from 'node:fs';
import { Args } from '@oclif/core';
import type { ResolvedSupervisorOptions } from '@svc/supervisor';
import { ADHOC_PROJECT, configProject, projectDirs, serviceLogFile, type HostedDefinition } from '@svc/supervisor/client';
import type { ServiceDefinition } from '@svc/supervisor/definition';
import { BaseCommand } from '../base-command.js';
import { connect, paths } from '../daemon.js';
import { CliError } from '../errors.js';
import { formatBytes, formatUptime } from '../output.js';
import type { StatusItem } from '../status-item.js';
import { collectStatus } from '../status-report.js';

type Resolved = Omit<ResolvedSupervisorOptions, 'now' | 'random' | 'orphanGuard' | 'baseEnv' | 'logDir' | 'runDir'> & {
  instances: number;
  listen: { port: number; host: string; backlog: number } | null;
};

export interface Description {
  name: string;
  project: string;
  /** What `svc status --json` says of it. */
  status: StatusItem;
  /** The definition as the supervisor runs it, every default filled in (null when no longer known). */
  definition: Resolved | null;
  /** Where it came from: the daemon (as it was started), the config file (as it is now), or nowhere. */
  definitionFrom: 'daemon' | 'config' | null;
  files: { stdout: string; stderr: string; events: string; logDir: string; runDir: string };
}

export default class Describe extends BaseCommand {
  static override summary = 'Show everything about one service: its definition, instances, restarts, readiness, lease and files.';
  static override description = [
    "PM2's describe: the service's status (state, pid per instance, restarts, last exit, failure and stderr tail),",
    'its definition as the supervisor runs it (every default filled in; the environment it was started with is not',
    'shown), its readiness and restart rules, its lease, and the paths of its log, event and run files. A name run',
    'by several projects is described in each.',
  ].join('\n');
  static override examples = ['<%= config.bin %> describe api', '<%= config.bin %> describe api --json'];
  // PM2's other name for it.
  static override aliases = ['show'];
  static override args = { name: Args.string({ description: 'service name', required: true }) };

  async run(): Promise<Description[]> {
    const { args } = await this.parse(Describe);
    const { items, warnings } = await collectStatus(args.name);
    if (items.length === 0) {
      throw new CliError('ENOT_RUNNING', `no service ${args.name} is supervised here: svc status lists what is, svc config show ${args.name} shows a config's definition`);
    }
    const hosted = await this.#definitions(args.name);
    const { checkServiceDefinition } = await import('@svc/supervisor/definition');
    const descriptions: Description[] = [];
    for (const item of items) {
      const projectId = item.project === ADHOC_PROJECT ? ADHOC_PROJECT : configProject(item.project).id;
      let definition: ServiceDefinition | null = hosted.find((s) => s.project.id === projectId && s.service === item.name)?.definition ?? null;
      let from: Description['definitionFrom'] = definition ? 'daemon' : null;
      if (!definition && item.project !== ADHOC_PROJECT && existsSync(item.project)) {
        const config = await this.loadConfig(item.project, { fresh: true }).catch(() => null);
        definition = config?.services[item.name] ?? null;
        if (definition) from = 'config';
      }
      let resolved: Resolved | null = null;
      if (definition) {
        const checked = checkServiceDefinition(item.name, definition);
        const { now: _n, random: _r, orphanGuard: _g, baseEnv: _b, logDir: _l, runDir: _d, ...shown } = checked.resolved;
        resolved = { ...shown, lock: shown.lock && { ...shown.lock, url: redactUrl(shown.lock.url) }, instances: checked.instances, listen: checked.listen };
      }
      const p = paths();
      const dirs = projectDirs(p, projectId);
      const file = (stream: 'stdout' | 'stderr' | 'events') => serviceLogFile(p, projectId, item.name, stream);
      descriptions.push({
        name: item.name,
        project: item.project,
        status: item,
        definition: resolved,
        definitionFrom: from,
        files: { stdout: file('stdout'), stderr: file('stderr'), events: file('events'), logDir: dirs.logDir, runDir: dirs.runDir },
      });
    }
    if (!this.jsonEnabled()) {
      for (const warning of warnings) this.warn(warning);
      this.log(descriptions.map(formatDescription).join('\n\n'));
    }
    return descriptions;
  }

  /** The definitions the daemon hosts under this name, as they were started (a daemon not answering: none). */
  async #definitions(name: string): Promise<HostedDefinition[]> {
    const connection = await connect({ acceptOtherVersion: true, timeoutMs: 1_000 }).catch(() => null);
    if (!connection) return [];
    try {
      // A daemon of another version may not know the method: its definitions are then unknown here.
      return await connection.client.call('definitions', { service: name }).catch(() => []);
    } finally {
      await connection.close();
    }
  }
}

/** A lock URL without its password: `redis://user:***@host`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

function ms(value: number): string {
  return `${value} ms`;
}

function formatDescription(d: Description): string {
  const s = d.status;
  const rows: Array<[string, string]> = [];
  const up = s.state === 'running' ? `, up ${formatUptime(s.uptimeMs)}` : '';
  rows.push(['state', `${s.state}${s.pid === null ? '' : ` (pid ${s.pid}${up})`}`]);
  rows.push(['project', d.project === ADHOC_PROJECT ? 'ad-hoc (no config file)' : d.project]);
  rows.push(['restarts', String(s.restarts)]);
  rows.push(['last exit', s.lastExit ? `${s.lastExit.signal ?? `code ${s.lastExit.code}`} at ${s.lastExit.at}` : '-']);
  if (s.failure) rows.push(['failure', s.failure]);
  if (s.health) rows.push(['health', s.health]);
  const r = d.definition;
  if (r) {
    rows.push(['command', [r.command, ...r.args].map((w) => (/^[\w./:=@%+-]+$/.test(w) ? w : JSON.stringify(w))).join(' ')]);
    rows.push(['cwd', r.cwd]);
    rows.push(['instances', `${r.instances}${r.listen ? ` on ${r.listen.host}:${r.listen.port} (svc holds the socket)` : ''}`]);
    const check = r.readiness.type === 'http' ? ` ${r.readiness.url}` : r.readiness.type === 'tcp' ? ` ${r.readiness.host}:${r.readiness.port}` : '';
    rows.push(['readiness', `${r.readiness.type}${check}, timeout ${ms(r.readiness.timeoutMs)}, start window ${ms(r.readiness.startWindowMs)}`]);
    const live = r.liveness.http ? `http ${r.liveness.http} every ${ms(r.liveness.intervalMs)}` : r.liveness.heartbeatTimeoutMs > 0 ? `heartbeat within ${ms(r.liveness.heartbeatTimeoutMs)}` : 'none';
    rows.push(['liveness', live]);
    rows.push(['restart', `${r.restart.policy}, delay ${ms(r.restart.delayMs)} ×${r.restart.factor} up to ${ms(r.restart.maxDelayMs)}, crash loop ${r.restart.crashLoop.count} in ${ms(r.restart.crashLoop.windowMs)}`]);
    rows.push(['stop', `${r.stop.signal}, SIGKILL after ${ms(r.stop.timeoutMs)}`]);
    rows.push(['lease', r.lock ? `${r.lock.backend} ${r.lock.key} (ttl ${ms(r.lock.ttlMs)})${s.fencingToken ? `, token ${s.fencingToken}` : ', not held'}` : 'none']);
    rows.push(['definition', d.definitionFrom === 'daemon' ? 'as the daemon started it' : 'from the config file as it is now (not running)']);
  } else {
    rows.push(['definition', 'not known any more (the daemon that ran it is gone)']);
  }
  if (s.instances.length > 1) {
    for (const n of s.instances) {
      rows.push([`  #${n.instance}`, `${n.state}${n.pid === null ? '' : ` pid ${n.pid}`}, restarts ${n.restarts}, memory ${formatBytes(n.memoryBytes)}`]);
    }
  }
  rows.push(['supervisor', s.supervisorPid === null ? '-' : `pid ${s.supervisorPid}${s.supervisorAlive ? '' : ' (not answering or gone)'}`]);
  rows.push(['stdout', d.files.stdout], ['stderr', d.files.stderr], ['events', d.files.events]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [d.name, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (s.stderrTail?.length) lines.push('  last lines of stderr:', ...s.stderrTail.map((l) => `    ${l}`));
  return lines.join('\n');
}
