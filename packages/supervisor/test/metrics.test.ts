import { describe, expect, it } from 'vitest';
import { formatMetrics, type SupervisorStats } from '../src/index.js';
import { idleStats } from '../src/stats.js';

function row(instance: number, state: SupervisorStats['state'], pid: number): SupervisorStats {
  return { ...idleStats('web', instance), state, pid, spawns: 1, uptimeMs: 1000, memoryBytes: 1024, cpuPercent: 1, processes: 1 };
}

describe('formatMetrics', () => {
  it('writes each service/instance series once, also while a reload lists a replacement beside the instance it replaces', () => {
    const text = formatMetrics([row(0, 'running', 10), row(1, 'running', 11), row(0, 'starting', 12)]);
    const up = text.split('\n').filter((l) => l.startsWith('svc_service_up{'));
    expect(up).toEqual(['svc_service_up{service="web",instance="0"} 1', 'svc_service_up{service="web",instance="1"} 1']);
    const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(new Set(series).size).toBe(series.length);
  });
});
