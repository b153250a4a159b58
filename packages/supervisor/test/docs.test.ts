import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ERROR_CODES, SERVICE_DEFAULTS } from '../src/index.js';

const PAGE = fileURLToPath(new URL('../../../docs/packages/supervisor.md', import.meta.url));

// Docs name options as users write them; DEFAULTS names them with units. One row per leaf.
const OPTION_FOR_DEFAULT: Record<string, string> = {
  args: 'args',
  inheritEnv: 'inheritEnv',
  ipc: 'ipc',
  'readiness.type': 'readiness.type',
  'readiness.timeoutMs': 'readiness.timeout',
  'readiness.intervalMs': 'readiness.interval',
  'liveness.heartbeatTimeoutMs': 'liveness.heartbeatTimeout',
  'liveness.intervalMs': 'liveness.interval',
  'liveness.failureThreshold': 'liveness.failureThreshold',
  'liveness.probeTimeoutMs': 'liveness.probeTimeout',
  'liveness.reportTimeoutMs': 'liveness.reportTimeout',
  'restart.policy': 'restart.policy',
  'restart.delayMs': 'restart.delay',
  'restart.factor': 'restart.factor',
  'restart.maxDelayMs': 'restart.maxDelay',
  'restart.jitter': 'restart.jitter',
  'restart.resetAfterMs': 'restart.resetAfter',
  'restart.neverRestartExitCodes': 'restart.neverRestartExitCodes',
  'restart.crashLoop.count': 'restart.crashLoop.count',
  'restart.crashLoop.windowMs': 'restart.crashLoop.window',
  'stop.signal': 'stop.signal',
  'stop.timeoutMs': 'stop.timeout',
  'limits.memoryBytes': 'limits.memory',
  'limits.cpuPercent': 'limits.cpu',
  'limits.windowMs': 'limits.window',
  'limits.sampleIntervalMs': 'limits.sampleInterval',
  'logs.maxSizeBytes': 'logs.maxSize',
  'logs.maxFiles': 'logs.maxFiles',
  'logs.maxBufferBytes': 'logs.maxBuffer',
  'logs.stderrTailLines': 'logs.stderrTailLines',
  'lock.ttlMs': 'lock.ttl',
};

function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value]];
}

function show(value: unknown): string {
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

describe('docs page', () => {
  it('the options table lists every default with the value the code uses', () => {
    const rows = readMarkdownTable(PAGE, 'Options');
    const table = new Map(rows.map((r) => [r.option, r.default]));
    const defaults = leaves(DEFAULTS);
    expect(defaults.map(([path]) => path).sort()).toEqual(Object.keys(OPTION_FOR_DEFAULT).sort());
    for (const [path, value] of defaults) {
      const option = OPTION_FOR_DEFAULT[path]!;
      expect(table.get(option), option).toBe(show(value));
    }
    expect(rows).toHaveLength(defaults.length);
  });

  it('the errors table lists exactly the error codes', () => {
    const rows = readMarkdownTable(PAGE, 'Errors');
    expect(rows.map((r) => r.code).sort()).toEqual([...ERROR_CODES].sort());
    for (const row of rows) {
      expect(row.when, row.code).not.toBe('');
      expect(row['how to fix'], row.code).not.toBe('');
    }
  });
});

describe('docs page: Service options', () => {
  it('the Service options table lists every default with the value the code uses', () => {
    const rows = readMarkdownTable(PAGE, 'Service options');
    const table = new Map(rows.map((r) => [r.option, r.default]));
    const documented = [...table.keys()].sort();
    expect(documented).toEqual(['instances', 'listen.backlog', 'listen.host', 'listen.port', 'maxInstances']);
    for (const [path, value] of leaves(SERVICE_DEFAULTS)) expect(table.get(path), path).toBe(show(value));
    expect(table.get('listen.port')).toBe('—');
  });
});
