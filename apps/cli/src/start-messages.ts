import type { InstanceStats } from '@svc/supervisor';
import { CliError } from './errors.js';
import { formatUptime } from './output.js';
import { rowState } from './to-status-items.js';

/*
 * What `svc start` prints, shared by the command and its early path (prestart.ts), so that both
 * say the same thing.
 */

/** `, listening on host:port` for a service whose socket svc holds. */
export function listenText(row: InstanceStats | undefined): string {
  const listen = row?.service?.listen;
  if (!listen) return '';
  return `, listening on ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

export function alreadyRunningLine(name: string, current: InstanceStats): string {
  return rowState(current) === 'standby'
    ? `${name} is already started: standby for its lock`
    : `${name} is already running (pid ${current.pid ?? '-'}, up ${formatUptime(current.uptimeMs)})`;
}

export function runningLine(name: string, stats: InstanceStats[]): string {
  const first = stats[0];
  const pids = stats.map((s) => s.pid ?? '-').join(', ');
  return first && rowState(first) === 'standby'
    ? `${name} is standby: another host holds its lock; it runs here when that lease ends`
    : `${name} is running (${stats.length > 1 ? `${stats.length} instances, pids ${pids}` : `pid ${pids}`}${listenText(first)})`;
}

export function startFailed(name: string, message: string, tail: string[], cause?: unknown): CliError {
  const lines = tail.map((l) => `  ${l}`);
  return new CliError('ESTART_FAILED', `${name} did not start: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: lines.length ? [`last lines of ${name}'s stderr:`, ...lines] : [],
  });
}
