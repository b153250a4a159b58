import type { DaemonRow } from '@svc/supervisor/client';
import { projectLabel, stateOf, type ServiceList, type ServiceView } from '../monit/model.js';
import { formatBytes, formatUptime } from '../output.js';

/*
 * What the page shows, as JSON: `svc monit`'s list (monit/model.ts) grouped by project, each
 * service with its instances, the numbers as they are (for the charts) and as text (the CLI's own
 * formatting, so the page and `svc status` read alike). The page never builds HTML from it: it
 * sets text, so a service's name or health cannot inject anything.
 */

export interface InstancePicture {
  instance: number;
  state: string;
  pid: number | null;
  uptimeMs: number | null;
  restarts: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  health: string | null;
  text: { uptime: string; cpu: string; memory: string };
}

export interface ServicePicture {
  key: string;
  project: string;
  name: string;
  state: string;
  /** The daemon runs it now (else it is listed as stopped while the page was open, or unknown while no daemon runs). */
  hosted: boolean;
  pids: number[];
  uptimeMs: number | null;
  /** Null while not hosted (what it had is not known any more). */
  restarts: number | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  health: string | null;
  /** It serves a socket svc holds (`listen`): a reload replaces it with zero downtime. */
  listen: boolean;
  instances: InstancePicture[];
  text: { uptime: string; cpu: string; memory: string };
}

export interface Picture {
  /** When the numbers were read (epoch ms): a live sample's time on the charts. */
  t: number;
  daemon: { pid: number; version: string } | null;
  /** The last call that failed other than by the daemon going away; null once one succeeds. */
  problem: string | null;
  projects: Array<{ id: string; label: string; config: string | null; services: ServicePicture[] }>;
}

const cpuText = (cpu: number | null) => (cpu === null ? '-' : `${cpu.toFixed(cpu >= 10 ? 0 : 1)}%`);

function sumOf(rows: DaemonRow[], pick: (row: DaemonRow) => number | null): number | null {
  const values = rows.map(pick).filter((v): v is number => v !== null);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
}

/** A row's health as `svc status` words it: a failure first, else what the service last said. */
const healthOf = (row: DaemonRow) => (row.state === 'failed' ? (row.failure ?? 'failed') : (row.failure ?? row.status));

function instancePicture(row: DaemonRow): InstancePicture {
  const uptimeMs = row.pid === null ? null : row.uptimeMs;
  return {
    instance: row.instance,
    state: row.state,
    pid: row.pid,
    uptimeMs,
    restarts: row.restarts,
    cpuPercent: row.cpuPercent,
    memoryBytes: row.memoryBytes,
    health: healthOf(row),
    text: { uptime: formatUptime(uptimeMs), cpu: cpuText(row.cpuPercent), memory: formatBytes(row.memoryBytes) },
  };
}

function servicePicture(view: ServiceView): ServicePicture {
  const state = stateOf(view);
  const rows = view.instances;
  const first = rows.find((r) => r.state === 'running') ?? rows[0];
  const failure = rows.find((r) => r.failure !== null)?.failure ?? null;
  const uptimeMs = first && first.pid !== null ? first.uptimeMs : null;
  const cpuPercent = sumOf(rows, (r) => r.cpuPercent);
  const memoryBytes = sumOf(rows, (r) => r.memoryBytes);
  return {
    key: view.key,
    project: view.project.id,
    name: view.name,
    state,
    hosted: view.gone === null,
    pids: rows.map((r) => r.pid).filter((p): p is number => p !== null),
    uptimeMs,
    restarts: view.gone ? null : rows.reduce((n, r) => n + r.restarts, 0),
    cpuPercent,
    memoryBytes,
    memoryLimitBytes: sumOf(rows, (r) => r.memoryLimitBytes),
    health: state === 'failed' ? (failure ?? 'failed') : (failure ?? first?.status ?? null),
    listen: rows[0]?.service?.listen != null,
    instances: rows.map(instancePicture),
    text: { uptime: formatUptime(uptimeMs), cpu: cpuText(cpuPercent), memory: formatBytes(memoryBytes) },
  };
}

export function pictureOf(list: ServiceList, daemon: Picture['daemon'], problem: string | null, now = Date.now()): Picture {
  const projects: Picture['projects'] = [];
  for (const view of list.list()) {
    let project = projects.at(-1);
    if (project?.id !== view.project.id) {
      project = { id: view.project.id, label: projectLabel(view.project), config: view.project.config, services: [] };
      projects.push(project);
    }
    project.services.push(servicePicture(view));
  }
  return { t: now, daemon, problem, projects };
}
