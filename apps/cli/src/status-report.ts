import { existsSync } from 'node:fs';
import { guardReportFile, leftoverNote, leftoversOf, readDaemonState, rowsAfterDaemon, serviceLogFile, SUPERVISOR_VERSION, tailLog, unendedOf, type DaemonRow } from '@svc/supervisor/client';
import { connect, paths } from './daemon.js';
import { exitText, formatBytes, formatUptime, paint, table, type Colour } from './output.js';
import type { StatusItem } from './status-item.js';
import { toStatusItems } from './status-items.js';

/*
 * `svc status`: everything the per-user daemon supervises, by project; when no daemon runs, what
 * the last one left in its state file (what failed, or what it ran when it died). Kept free of
 * oclif and of the supervisor's runtime (only its client), so that the quick path in bin/run.js
 * loads just this: status belongs in a shell prompt.
 */

export interface StatusReport {
  items: StatusItem[];
  /** Said on stderr by the human form: a daemon of another version, a damaged state file. */
  warnings: string[];
}

/** How long `status` may take once the daemon answered hello (connecting is bounded by 1 s). */
const STATUS_CALL_TIMEOUT_MS = 30_000;

export async function collectStatus(name?: string): Promise<StatusReport> {
  const warnings: string[] = [];
  const filter = name === undefined ? {} : { service: name };
  let connection: Awaited<ReturnType<typeof connect>>;
  try {
    connection = await connect({ acceptOtherVersion: true, timeoutMs: 1_000 });
  } catch (error) {
    // A daemon that does not answer in time (stopped, wedged) is shown from what it last wrote.
    if ((error as { code?: string }).code !== 'EIPC_TIMEOUT') throw error;
    connection = null;
  }
  let items: StatusItem[];
  if (connection) {
    try {
      const { hello } = connection;
      // It answered hello within the second: alive. Sampling hundreds of services on a loaded
      // machine can take longer than that second, which is no reason to call the daemon hung.
      const rows: DaemonRow[] = await connection.client.call('status', filter, { timeoutMs: STATUS_CALL_TIMEOUT_MS });
      items = toStatusItems(rows, { pid: hello.pid, alive: true }, stderrTail);
      if (hello.version !== SUPERVISOR_VERSION) {
        warnings.push(`the svc daemon (pid ${hello.pid}) runs version ${hello.version}, this svc is ${SUPERVISOR_VERSION}: run \`svc daemon restart\` to move its services to ${SUPERVISOR_VERSION}`);
      }
    } finally {
      await connection.close();
    }
  } else {
    items = await fromStateFile(name, warnings);
  }
  return { items: items.sort((a, b) => a.project.localeCompare(b.project) || a.name.localeCompare(b.name)), warnings };
}

/** What the state file says, when the daemon does not answer: gone (exited or died), or hung. */
async function fromStateFile(name: string | undefined, warnings: string[]): Promise<StatusItem[]> {
  const p = paths();
  const { state, problem } = readDaemonState(p.stateFile);
  if (problem) warnings.push(problem);
  if (!state) return [];
  // Only when no daemon answered: `@svc/lock` stays out of the common path.
  const { readLock } = await import('@svc/lock');
  const lock = await readLock({ name: p.lockName, dir: p.lockDir });
  let rows: DaemonRow[];
  if (lock.state === 'held') {
    // Alive by its lock but not answering: each row as it last wrote it, saying it is not live.
    const why = `daemon not answering (pid ${lock.holder?.pid ?? '?'}); as of ${state.updatedAt}`;
    rows = state.rows.map((row) => ({ ...row, failure: why }));
    warnings.push(`the svc daemon (pid ${lock.holder?.pid ?? '?'}) holds its lock but does not answer on ${p.socketPath}`);
  } else {
    // A daemon that died: its guard should have killed every process of its services. Say so
    // where it did not (a row kept from a dead daemon, by that daemon's pid, whoever kept it since).
    // Those its guard could not end (another user's) are in the guard's report.
    const found = new Map<number, { pids: Map<string, number[]>; unended: ReturnType<typeof unendedOf> }>();
    rows = rowsAfterDaemon(state).map((row) => {
      const dead = row.deadDaemonPid;
      if (dead === undefined) return row;
      if (!found.has(dead)) found.set(dead, { pids: leftoversOf(dead), unended: unendedOf(guardReportFile(p, dead)) });
      const pids = found.get(dead)!.pids.get(row.name) ?? [];
      const unended = found.get(dead)!.unended.get(row.name) ?? [];
      return pids.length + unended.length > 0 ? { ...row, failure: `${row.failure ?? 'supervisor died'}; ${leftoverNote(row.name, pids, unended)}` } : row;
    });
  }
  return toStatusItems(
    rows.filter((row) => name === undefined || row.name === name),
    { pid: lock.state === 'held' ? (lock.holder?.pid ?? null) : null, alive: false },
    stderrTail,
  );
}

/** How many of a failed service's last stderr lines `svc status` shows. */
const STATUS_TAIL_LINES = 20;

/**
 * A failed service's last stderr lines: those of the run that failed, as the supervisor kept them
 * when it gave up (its `gave-up` event); else the end of its stderr file, which mixes every run.
 */
function stderrTail(projectId: string, name: string): string[] {
  const events = serviceLogFile(paths(), projectId, name, 'events');
  const lines = existsSync(events) ? tailLog(events, 200) : [];
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.includes('"gave-up"')) continue;
    try {
      const event = JSON.parse(lines[i]!) as { type?: string; stderrTail?: unknown };
      if (event.type === 'gave-up' && Array.isArray(event.stderrTail)) return event.stderrTail.map(String).slice(-STATUS_TAIL_LINES);
    } catch {
      // A torn or foreign line: look further back.
    }
  }
  const file = serviceLogFile(paths(), projectId, name, 'stderr');
  return existsSync(file) ? tailLog(file, STATUS_TAIL_LINES) : [];
}

const STATE_COLOUR: Record<string, Colour> = { running: 'green', starting: 'yellow', stopping: 'yellow', backoff: 'yellow', standby: 'blue', crashed: 'red', failed: 'red', stopped: 'grey', completed: 'green' };

/** The human table: one block per project (its config file, or "ad-hoc"), one row per service. */
export function formatStatus(items: StatusItem[], colour: boolean): string {
  if (items.length === 0) return 'no services are supervised here (start one with: svc start <name>)';
  const header = ['name', 'state', 'pid', 'uptime', 'restarts', 'cpu', 'memory', 'health'];
  const rows: string[][] = [];
  let project: string | null = null;
  for (const i of items) {
    if (i.project !== project) {
      project = i.project;
      rows.push([paint(project === 'adhoc' ? 'ad-hoc (no config file)' : project, 'bold', colour)]);
    }
    rows.push([
      i.name,
      paint(i.state, STATE_COLOUR[i.state] ?? 'grey', colour),
      i.pid === null ? '-' : String(i.pid),
      i.state === 'running' ? formatUptime(i.uptimeMs) : '-',
      String(i.restarts),
      i.cpuPercent === null ? '-' : `${i.cpuPercent.toFixed(1)}%`,
      formatBytes(i.memoryBytes),
      i.health ?? '-',
    ]);
    // A service of several instances: one line each under the service's totals.
    if (i.instances.length > 1) {
      for (const n of i.instances) {
        rows.push([
          `  #${n.instance}`,
          paint(n.state, STATE_COLOUR[n.state] ?? 'grey', colour),
          n.pid === null ? '-' : String(n.pid),
          '',
          String(n.restarts),
          n.cpuPercent === null ? '-' : `${n.cpuPercent.toFixed(1)}%`,
          formatBytes(n.memoryBytes),
          '',
        ]);
      }
    }
  }
  const lines = [table(header, rows)];
  for (const item of items.filter((i) => i.droppedLogLines > 0)) {
    lines.push('', `${item.name}: ${item.droppedLogLines} log line${item.droppedLogLines === 1 ? '' : 's'} dropped: the disk refused them (svc logs ${item.name} --events says when and why)`);
  }
  // A oneshot that ran to its end: how it ended and how long it took (its row has no uptime).
  for (const item of items.filter((i) => i.state === 'completed')) lines.push('', `${item.name} completed: ${exitText(item.lastExit)}, at ${item.lastExit?.at ?? '?'}`);
  for (const item of items.filter((i) => i.state === 'failed' || (!i.supervisorAlive && i.failure))) {
    lines.push('', `${item.name} ${item.state === 'failed' ? 'failed' : 'is not supervised'}: ${item.failure ?? 'gave up'}`, ...(item.stderrTail ?? []).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
