import { spawnSync } from 'node:child_process';
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

describe('label values', () => {
  it('escapes backslash, double quote and line feed, so that no name can break the text format (promtool reads it back)', () => {
    // Names the daemon refuses, given straight to the formatter (a library user's rows).
    const hostile = 'a"b\\c\nd} 1\nsvc_fake 2';
    const text = formatMetrics([{ ...row(0, 'running', 10), name: hostile, project: { id: 'p"\\\n' }, logBytesWritten: 5 }]);
    expect(text).toContain('svc_service_up{project="p\\"\\\\\\n",service="a\\"b\\\\c\\nd} 1\\nsvc_fake 2",instance="0"} 1');
    expect(text).not.toMatch(/^svc_fake/m);
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(`${run.status} ${run.stdout}${run.stderr}`.trim()).toBe('0');
  });

  it('writes the log series once per service, its instances sharing its log files', () => {
    const text = formatMetrics([{ ...row(0, 'running', 10), logBytesWritten: 300, droppedLogLines: 2 }, { ...row(1, 'running', 11), logBytesWritten: 300, droppedLogLines: 2 }]);
    expect(text.split('\n').filter((l) => l.startsWith('svc_service_log_'))).toEqual(['svc_service_log_bytes_total{service="web"} 300', 'svc_service_log_dropped_lines_total{service="web"} 2']);
  });
});
