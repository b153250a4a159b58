import { SUPERVISOR_STATES, type SupervisorStats } from './supervisor.js';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition of the services' statistics. */
export function formatMetrics(all: SupervisorStats[]): string {
  // During a reload a replacement has the same service and instance as the one it replaces; a
  // series may appear once per exposition, so the first row (the instance in place) is kept.
  const seen = new Set<string>();
  const stats = all.filter((s) => {
    const key = `${s.name}\u0000${s.instance}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: (s: SupervisorStats) => number | null, type = 'gauge') => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of stats) {
      const v = value(s);
      if (v !== null) lines.push(`${name}{service="${label(s.name)}",instance="${s.instance}"} ${v}`);
    }
  };
  gauge('svc_service_up', '1 when the service is running (ready).', (s) => (s.state === 'running' ? 1 : 0));
  lines.push('# HELP svc_service_state The current state (1 for the state the service is in).', '# TYPE svc_service_state gauge');
  for (const s of stats) {
    for (const state of SUPERVISOR_STATES) lines.push(`svc_service_state{service="${label(s.name)}",instance="${s.instance}",state="${state}"} ${s.state === state ? 1 : 0}`);
  }
  gauge('svc_service_restarts_total', 'Restarts since the supervisor started.', (s) => s.restarts, 'counter');
  gauge('svc_service_crashes_total', 'Exits after ready that were not requested.', (s) => s.crashes, 'counter');
  gauge('svc_service_start_failures_total', 'Exits or timeouts before ready.', (s) => s.startFailures, 'counter');
  gauge('svc_service_uptime_seconds', 'Time since the current instance became ready.', (s) => s.uptimeMs / 1000);
  gauge('svc_service_memory_bytes', 'RSS of the whole process tree.', (s) => s.memoryBytes);
  gauge('svc_service_cpu_percent', 'CPU of the whole process tree (100 = one core).', (s) => s.cpuPercent);
  gauge('svc_service_log_dropped_lines_total', 'Log lines dropped on write errors.', (s) => s.droppedLogLines, 'counter');
  return `${lines.join('\n')}\n`;
}
