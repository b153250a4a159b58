import { SUPERVISOR_STATES } from './states.js';
import type { SupervisorStats } from './stats.js';

/** A row to expose: an instance's stats, with its project when a daemon hosts it. */
export type MetricsRow = SupervisorStats & { project?: { id: string } };

/** A label value as the text format writes it: backslash, double quote and line feed escaped. */
export function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition of the services' statistics (`project` label when a daemon hosts them). */
export function formatMetrics(all: readonly MetricsRow[]): string {
  // During a reload a replacement has the same service and instance as the one it replaces; a
  // series may appear once per exposition, so the first row (the instance in place) is kept.
  const seen = new Set<string>();
  const rows = all.filter((s) => {
    const key = `${s.project?.id ?? ''}\u0000${s.name}\u0000${s.instance}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const labels = (s: MetricsRow) => `${s.project ? `project="${labelValue(s.project.id)}",` : ''}service="${labelValue(s.name)}",instance="${s.instance}"`;
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: (s: MetricsRow) => number | null, type = 'gauge') => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of rows) {
      const v = value(s);
      if (v !== null) lines.push(`${name}{${labels(s)}} ${v}`);
    }
  };
  gauge('svc_service_up', '1 when the service is running (ready).', (s) => (s.state === 'running' ? 1 : 0));
  lines.push('# HELP svc_service_state The current state (1 for the state the service is in).', '# TYPE svc_service_state gauge');
  for (const s of rows) {
    for (const state of SUPERVISOR_STATES) lines.push(`svc_service_state{${labels(s)},state="${state}"} ${s.state === state ? 1 : 0}`);
  }
  gauge('svc_service_restarts_total', 'Restarts since the supervisor started.', (s) => s.restarts, 'counter');
  gauge('svc_service_crashes_total', 'Exits after ready that were not requested.', (s) => s.crashes, 'counter');
  gauge('svc_service_start_failures_total', 'Exits or timeouts before ready.', (s) => s.startFailures, 'counter');
  gauge('svc_service_uptime_seconds', 'Time since the current instance became ready.', (s) => s.uptimeMs / 1000);
  gauge('svc_service_memory_bytes', 'RSS of the whole process tree.', (s) => s.memoryBytes);
  gauge('svc_service_memory_limit_bytes', 'limits.memory: past it (for limits.window) the instance is restarted. Absent without a limit.', (s) => s.memoryLimitBytes);
  gauge('svc_service_cpu_percent', 'CPU of the whole process tree (100 = one core).', (s) => s.cpuPercent);
  // A service's log files are shared by its instances: one series per service (its first row).
  const services = rows.filter((s, i) => rows.findIndex((o) => o.name === s.name && o.project?.id === s.project?.id) === i);
  const serviceLabels = (s: MetricsRow) => `${s.project ? `project="${labelValue(s.project.id)}",` : ''}service="${labelValue(s.name)}"`;
  const perService = (name: string, help: string, value: (s: MetricsRow) => number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const s of services) lines.push(`${name}{${serviceLabels(s)}} ${value(s)}`);
  };
  perService('svc_service_log_bytes_total', "Bytes the disk accepted for the service's stdout and stderr logs.", (s) => s.logBytesWritten);
  perService('svc_service_log_dropped_lines_total', "Lines of the service's logs dropped on write errors (a full or read-only disk).", (s) => s.droppedLogLines);
  return `${lines.join('\n')}\n`;
}
