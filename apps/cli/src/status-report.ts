import { connectIpc } from '@svc/ipc';
import type { SupervisorStats } from '@svc/supervisor';
import { cleanDeadDaemon, discoverDaemons, type DiscoveredDaemon } from './daemon-client.js';
import { readAllDied, readAllFailed, writeDied } from './final-status.js';
import { formatBytes, formatUptime, paint, table, type Colour } from './output.js';
import type { StatusItem } from './status-item.js';
import { toStatusItems } from './to-status-items.js';

/*
 * `svc status`: every daemon found in the run directory, asked in parallel with a short timeout.
 * Kept free of oclif and of the supervisor's runtime so that the fast path in bin/run.js can load
 * just this (status belongs in a shell prompt).
 */

const STATE_COLOUR: Record<string, Colour> = { running: 'green', starting: 'yellow', stopping: 'yellow', backoff: 'yellow', crashed: 'red', failed: 'red', stopped: 'grey' };

export async function collectStatus(name?: string): Promise<StatusItem[]> {
  const daemons = await discoverDaemons();
  const live = (await Promise.all(daemons.map((d) => ask(d)))).flat();
  // Services whose daemon exited after they gave up: shown failed, with the reason.
  const shown = new Set(live.map((i) => i.name));
  const gaveUp = readAllFailed()
    .filter((f) => !daemons.some((d) => d.alive && d.ref.id === f.id))
    .flatMap((f) => toStatusItems(f.services, { id: f.id, pid: f.pid }).map((i) => ({ ...i, supervisorPid: null, supervisorAlive: false })))
    .filter((i) => !shown.has(i.name));
  for (const item of gaveUp) shown.add(item.name);
  // Services of daemons that were found dead earlier (and whose stale files are gone).
  const died = readAllDied()
    .filter((d) => !daemons.some((x) => x.alive && x.ref.id === d.id))
    .flatMap((d) => deadRows(d.id, d.pid, d.services, 'supervisor died'))
    .filter((i) => !shown.has(i.name));
  const items = [...live, ...gaveUp, ...died].filter((item) => !name || item.name === name);
  const failed = items.filter((i) => i.state === 'failed');
  if (failed.length > 0) {
    // Loaded only when needed: the log reader comes with the supervisor package.
    const { readLogFiles } = await import('./log-files.js');
    for (const item of failed) item.stderrTail = readLogFiles(item.daemon, item.name, 'stderr', 10) ?? [];
  }
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

async function ask(daemon: DiscoveredDaemon): Promise<StatusItem[]> {
  if (daemon.alive && daemon.holder) {
    try {
      const client = await connectIpc(daemon.ref.socketPath, { timeoutMs: 1_000 });
      try {
        const stats = (await client.call('status', {})) as SupervisorStats[];
        return toStatusItems(stats, { id: daemon.ref.id, pid: daemon.holder.pid });
      } finally {
        await client.close();
      }
    } catch (error) {
      // A live daemon that does not answer in time is shown as such, not dropped.
      return fromLock(daemon, `daemon not answering: ${(error as Error).message}`);
    }
  }
  const rows = fromLock(daemon, 'supervisor died');
  if (daemon.holder) writeDied(daemon.ref.id, daemon.holder.pid, rows.map((r) => r.name));
  await cleanDeadDaemon(daemon);
  return rows;
}

/** What the daemon's lock record says it hosted, marked as not live. */
function fromLock(daemon: DiscoveredDaemon, why: string): StatusItem[] {
  const services = daemon.holder?.metadata.services;
  const names = Array.isArray(services) ? services.map(String) : [];
  return deadRows(daemon.ref.id, daemon.holder?.pid ?? null, names, why);
}

/** Rows for services whose daemon is dead or silent: crashed, no pid, the reason as health. */
function deadRows(id: string, daemonPid: number | null, names: string[], why: string): StatusItem[] {
  return names.map((name) => ({
    name,
    state: 'crashed' as const,
    pid: null,
    supervisorPid: daemonPid,
    uptimeMs: 0,
    restarts: 0,
    lastExit: null,
    memoryBytes: null,
    cpuPercent: null,
    health: why,
    instances: [],
    daemon: id,
    supervisorAlive: false,
    failure: why,
    fencingToken: null,
  }));
}

export function formatStatus(items: StatusItem[], colour: boolean): string {
  if (items.length === 0) return 'no services are supervised here (start one with: svc start <name>)';
  const lines = [
    table(
      ['name', 'state', 'pid', 'uptime', 'restarts', 'cpu', 'memory', 'health'],
      items.flatMap((i) => [
        [
          i.name,
          paint(i.state, STATE_COLOUR[i.state] ?? 'grey', colour),
          i.pid === null ? '-' : String(i.pid),
          i.state === 'running' ? formatUptime(i.uptimeMs) : '-',
          String(i.restarts),
          i.cpuPercent === null ? '-' : `${i.cpuPercent.toFixed(1)}%`,
          formatBytes(i.memoryBytes),
          i.health ?? '-',
        ],
        // A service of several instances: one line each under the service's totals.
        ...(i.instances.length > 1
          ? i.instances.map((n) => [
              `  #${n.instance}`,
              paint(n.state, STATE_COLOUR[n.state] ?? 'grey', colour),
              n.pid === null ? '-' : String(n.pid),
              '',
              String(n.restarts),
              n.cpuPercent === null ? '-' : `${n.cpuPercent.toFixed(1)}%`,
              formatBytes(n.memoryBytes),
              '',
            ])
          : []),
      ]),
    ),
  ];
  for (const item of items.filter((i) => i.state === 'failed')) {
    lines.push('', `${item.name} failed: ${item.failure ?? 'gave up'}`, ...(item.stderrTail ?? []).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
