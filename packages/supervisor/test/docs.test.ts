import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ERROR_CODES, LIMITS, MAX_DURATION_MS, MAX_SIZE_BYTES, SERVICE_DEFAULTS } from '../src/index.js';

const PAGE = fileURLToPath(new URL('../../../docs/packages/supervisor.md', import.meta.url));

// Docs name options as users write them; DEFAULTS names them with units. One row per leaf.
const OPTION_FOR_DEFAULT: Record<string, string> = {
  type: 'type',
  args: 'args',
  inheritEnv: 'inheritEnv',
  ipc: 'ipc',
  'readiness.type': 'readiness.type',
  'readiness.timeoutMs': 'readiness.timeout',
  'readiness.intervalMs': 'readiness.interval',
  'readiness.startWindowMs': 'readiness.startWindow',
  'liveness.heartbeatTimeoutMs': 'liveness.heartbeatTimeout',
  'liveness.intervalMs': 'liveness.interval',
  'liveness.failureThreshold': 'liveness.failureThreshold',
  'liveness.timeoutMs': 'liveness.timeout',
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

  it('every duration and size shows its range, from the bounds the checks use', () => {
    const D = (min = 0) => `${min}–${MAX_DURATION_MS} ms`;
    const S = (min = 0) => `${min}–${MAX_SIZE_BYTES} bytes`;
    const L = LIMITS;
    const ranges: Record<string, string> = {
      'readiness.timeout': D(L.readiness.timeout.min),
      'readiness.interval': D(L.readiness.interval.min),
      'readiness.startWindow': D(),
      'liveness.heartbeatTimeout': D(L.liveness.heartbeatTimeout.min),
      'liveness.interval': D(L.liveness.interval.min),
      'liveness.failureThreshold': `1–${L.liveness.failureThreshold.max}`,
      'liveness.timeout': D(L.liveness.timeout.min),
      'liveness.reportTimeout': D(),
      'restart.delay': D(),
      'restart.factor': `${L.restart.factor.min}–${L.restart.factor.max}`,
      'restart.maxDelay': `restart.delay–${MAX_DURATION_MS} ms`,
      'restart.resetAfter': D(),
      'restart.crashLoop.count': `1–${L.restart.crashLoopCount.max}`,
      'restart.crashLoop.window': D(L.restart.crashLoopWindow.min),
      'stop.timeout': D(),
      'limits.memory': S(),
      'limits.cpu': `0–${L.limits.cpu.max}`,
      'limits.window': D(),
      'limits.sampleInterval': D(L.limits.sampleInterval.min),
      'logs.maxSize': S(L.logs.maxSize.min),
      'logs.maxFiles': `1–${L.logs.maxFiles.max}`,
      'logs.maxBuffer': S(L.logs.maxBuffer.min),
      'logs.stderrTailLines': `0–${L.logs.stderrTailLines.max}`,
      'lock.ttl': D(L.lock.ttl.min),
    };
    const rows = new Map(readMarkdownTable(PAGE, 'Options').map((r) => [r.option, r.range]));
    for (const [option, range] of Object.entries(ranges)) expect(rows.get(option), option).toBe(range);
    // Every default in ms or bytes is a duration or a size: each has its range listed above.
    for (const [path] of leaves(DEFAULTS).filter(([p]) => /(Ms|Bytes)$/.test(p))) expect(ranges[OPTION_FOR_DEFAULT[path]!], path).toBeDefined();
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
    expect(documented).toEqual([
      'instances',
      'listen.adopt',
      'listen.backlog',
      'listen.host',
      'listen.port',
      'maxInstances',
      'restart.schedule',
      'restart.timeZone',
      'watch',
      'watch.alwaysIgnored',
      'watch.debounce',
      'watch.ignore',
      'watch.maxDirs',
      'watch.paths',
    ]);
    // Docs name options as users write them: `watch.debounce`, in ms in SERVICE_DEFAULTS.
    const option = (path: string) => (path === 'watch.debounceMs' ? 'watch.debounce' : path);
    for (const [path, value] of leaves(SERVICE_DEFAULTS)) expect(table.get(option(path)), path).toBe(show(value));
    expect(table.get('listen.port')).toBe('—');
  });
});
