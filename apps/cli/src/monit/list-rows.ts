import type { DaemonRow } from '@svc/supervisor/client';
import { formatBytes, formatUptime } from '../output.js';
import { projectLabel, stateOf, type History, type ServiceView } from './model.js';
import { sparkline } from './sparkline.js';
import type { Colour, Segment, Style } from './text.js';
import { fit, truncateStart } from './text.js';

/*
 * The service list: one row per service (and one per instance under a service that runs several),
 * under a row naming its project when more than one is shown. Its columns fit the width: at 80
 * columns every column shows, with 6-sample sparklines; narrower, the health column goes first,
 * then the sparklines, then uptime, then pid; wider, the name, the sparklines (up to 20 samples)
 * and the health grow.
 */

export interface Columns {
  name: number;
  pid: number;
  uptime: number;
  spark: number;
  health: number;
}

/** Fixed widths (their contents never need more): state, restarts, CPU %, memory. */
const FIXED = { state: 9, restarts: 3, cpu: 5, memory: 7 } as const;
/** `spark`: a sparkline's column, the space before it included. */
const LIMITS = { nameMin: 6, nameMax: 24, spark: 7, sparkMax: 21, healthMin: 6, pid: 7, uptime: 7 } as const;

/** The columns for `width`, given the longest service name. */
export function columnsFor(width: number, longestName: number): Columns {
  // The selection mark (2), the fixed columns and the spaces before each of them.
  let rest = width - 2 - (FIXED.state + FIXED.restarts + FIXED.cpu + FIXED.memory + 4);
  let name = Math.min(LIMITS.nameMax, Math.max(8, longestName));
  rest -= name;
  const columns: Columns = { name, pid: 0, uptime: 0, spark: 0, health: 0 };
  for (const column of ['pid', 'uptime'] as const) {
    if (rest >= LIMITS[column] + 1) {
      columns[column] = LIMITS[column];
      rest -= LIMITS[column] + 1;
    }
  }
  if (rest >= 2 * LIMITS.spark) {
    columns.spark = LIMITS.spark;
    rest -= 2 * LIMITS.spark;
  }
  if (rest >= LIMITS.healthMin + 1) columns.health = rest - 1;
  // Room to spare: longer sparklines, as long as the health keeps 30 columns.
  while (columns.spark > 0 && columns.spark < LIMITS.sparkMax && columns.health > 32) {
    columns.spark++;
    columns.health -= 2;
  }
  // Too narrow even without the optional columns: the name gives way.
  if (rest < 0) {
    name = Math.max(LIMITS.nameMin, name + rest);
    columns.name = name;
  }
  return columns;
}

const STATE_COLOURS: Record<string, Colour> = {
  running: 'green',
  starting: 'yellow',
  stopping: 'yellow',
  backoff: 'yellow',
  standby: 'blue',
  crashed: 'red',
  failed: 'red',
  stopped: 'grey',
  completed: 'grey',
  unknown: 'grey',
};

const cpuText = (cpu: number | null | undefined) => (cpu === null || cpu === undefined ? '-' : `${cpu.toFixed(cpu >= 10 ? 0 : 1)}%`);
const sumOf = (rows: DaemonRow[], pick: (r: DaemonRow) => number | null) => {
  const values = rows.map(pick).filter((v): v is number => v !== null);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
};

interface Cells {
  name: string;
  nameStyle?: Style;
  state: string;
  pid: number | null;
  uptimeMs: number | null;
  restarts: number | null;
  cpu: number | null;
  memory: number | null;
  memoryLimit: number | null;
  history: History | undefined;
  health: string | null;
}

function cellsRow(cells: Cells, c: Columns): Segment[] {
  const segments: Segment[] = [
    { text: fit(cells.name, c.name), ...(cells.nameStyle ? { style: cells.nameStyle } : {}) },
    { text: ` ${fit(cells.state, FIXED.state)}`, style: { fg: STATE_COLOURS[cells.state] ?? 'grey' } },
  ];
  if (c.pid) segments.push({ text: ` ${fit(cells.pid === null ? '-' : String(cells.pid), c.pid, 'right')}` });
  if (c.uptime) segments.push({ text: ` ${fit(cells.pid === null ? '-' : formatUptime(cells.uptimeMs), c.uptime, 'right')}` });
  segments.push({ text: ` ${fit(cells.restarts === null ? '' : String(cells.restarts), FIXED.restarts, 'right')}`, ...(cells.restarts ? { style: { fg: 'yellow' as const } } : {}) });
  segments.push({ text: ` ${fit(cpuText(cells.cpu), FIXED.cpu, 'right')}` });
  if (c.spark) segments.push({ text: ` ${sparkline(cells.history?.cpu ?? [], c.spark - 1, 100)}`, style: { fg: 'cyan' } });
  segments.push({ text: ` ${fit(formatBytes(cells.memory), FIXED.memory, 'right')}` });
  if (c.spark) segments.push({ text: ` ${sparkline(cells.history?.memory ?? [], c.spark - 1, cells.memoryLimit)}`, style: { fg: 'magenta' } });
  if (c.health) segments.push({ text: ` ${fit(cells.health ?? '', c.health)}`, style: { dim: true } });
  return segments;
}

export function headerRow(c: Columns): Segment[] {
  let text = `  ${fit('SERVICE', c.name)} ${fit('STATE', FIXED.state)}`;
  if (c.pid) text += ` ${fit('PID', c.pid, 'right')}`;
  if (c.uptime) text += ` ${fit('UPTIME', c.uptime, 'right')}`;
  text += ` ${fit('↺', FIXED.restarts, 'right')} ${fit('CPU', FIXED.cpu + c.spark)} ${fit('MEM', FIXED.memory + c.spark)}`;
  if (c.health) text += ` ${fit('HEALTH', c.health)}`;
  return [{ text, style: { bold: true } }];
}

export interface ListRow {
  /** The service this row belongs to (a project's row: null). */
  key: string | null;
  /** A row that can be selected: a service's own. */
  selectable: boolean;
  segments: Segment[];
}

/** Every row of the list, in order. */
export function listRows(views: ServiceView[], c: Columns, showProjects: boolean, width: number): ListRow[] {
  const rows: ListRow[] = [];
  let project: string | null = null;
  for (const view of views) {
    if (showProjects && view.project.id !== project) {
      project = view.project.id;
      rows.push({ key: null, selectable: false, segments: [{ text: truncateStart(projectLabel(view.project), width - 2), style: { bold: true, fg: 'blue' } }] });
    }
    const state = stateOf(view);
    const first = view.instances.find((r) => r.state === 'running') ?? view.instances[0];
    const failure = view.instances.find((r) => r.failure !== null)?.failure ?? null;
    const several = view.instances.length > 1;
    rows.push({
      key: view.key,
      selectable: true,
      segments: cellsRow(
        {
          name: view.name,
          nameStyle: { bold: true },
          state,
          pid: several ? null : (first?.pid ?? null),
          uptimeMs: first?.uptimeMs ?? null,
          restarts: view.gone ? null : view.instances.reduce((n, r) => n + r.restarts, 0),
          cpu: sumOf(view.instances, (r) => r.cpuPercent),
          memory: sumOf(view.instances, (r) => r.memoryBytes),
          memoryLimit: sumOf(view.instances, (r) => r.memoryLimitBytes),
          history: view.history,
          health: state === 'failed' ? (failure ?? 'failed') : (failure ?? first?.status ?? null),
        },
        c,
      ),
    });
    if (!several) continue;
    for (const row of view.instances) {
      rows.push({
        key: view.key,
        selectable: false,
        segments: cellsRow(
          {
            name: `  #${row.instance}`,
            state: row.state,
            pid: row.pid,
            uptimeMs: row.uptimeMs,
            restarts: row.restarts,
            cpu: row.cpuPercent,
            memory: row.memoryBytes,
            memoryLimit: row.memoryLimitBytes,
            history: view.instanceHistory.get(row.instance),
            health: row.failure ?? row.status,
          },
          c,
        ),
      });
    }
  }
  return rows;
}
