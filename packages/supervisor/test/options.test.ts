import { describe, expect, it } from 'vitest';
import {
  DEFINITION_KEYS,
  MAX_DURATION_MS,
  MAX_SIZE_BYTES,
  Service,
  checkServiceDefinition,
  definitionProblems,
  parseDuration,
  parseSize,
  readDuration,
  readSize,
  resolveSupervisorOptions,
  type InvalidOptionsError,
} from '../src/index.js';

const base = { name: 'api', command: 'node', logDir: '/tmp/svc-options-test' };

function problemsOf(fn: () => unknown): Array<{ option: string; value: unknown; expected: string }> {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ code: 'EINVALID_OPTIONS' });
    return (error as InvalidOptionsError).problems;
  }
  throw new Error('expected EINVALID_OPTIONS, nothing was thrown');
}

describe('units', () => {
  it('durations: numbers are ms, strings need a unit (ms, s, m, h, d)', () => {
    expect(parseDuration('x', 250)).toBe(250);
    expect(parseDuration('x', '500ms')).toBe(500);
    expect(parseDuration('x', ' 1.5s ')).toBe(1500);
    expect(parseDuration('x', '2m')).toBe(120_000);
    expect(parseDuration('x', '1h')).toBe(3_600_000);
    expect(parseDuration('x', '1d')).toBe(86_400_000);
    // A bare number in a string says nothing about its unit: refused, as by the config file before.
    for (const bad of ['100', '5 parsecs', '-1s', 'soon', Infinity, Number.NaN, -1, null, true]) {
      expect(() => parseDuration('restart.delay', bad as never), String(bad)).toThrow(/restart\.delay/);
    }
  });

  it('sizes: numbers are bytes, units are powers of 1024 in every spelling', () => {
    expect(parseSize('x', 4096)).toBe(4096);
    for (const [text, bytes] of [
      ['512KB', 512 * 1024],
      ['512KiB', 512 * 1024],
      ['512k', 512 * 1024],
      ['10MB', 10 * 1024 ** 2],
      ['10mib', 10 * 1024 ** 2],
      ['1GB', 1024 ** 3],
      ['2TiB', 2 * 1024 ** 4],
      ['100b', 100],
    ] as const) {
      expect(parseSize('x', text), text).toBe(bytes);
    }
    for (const bad of ['100', '10 parsecs', '-1MB', 'lots', Infinity]) expect(() => parseSize('limits.memory', bad as never), String(bad)).toThrow(/limits\.memory/);
  });

  it('every duration and size has an upper bound, named with the value in the error', () => {
    expect(readDuration(MAX_DURATION_MS)).toEqual({ ok: true, value: MAX_DURATION_MS });
    expect(readDuration(MAX_DURATION_MS + 1)).toMatchObject({ ok: false, expected: expect.stringContaining(`at most ${MAX_DURATION_MS} ms`) });
    expect(readDuration('600h')).toMatchObject({ ok: false });
    expect(readDuration('24d')).toEqual({ ok: true, value: 24 * 86_400_000 });
    expect(readDuration('25d')).toMatchObject({ ok: false });
    expect(readSize(MAX_SIZE_BYTES)).toEqual({ ok: true, value: MAX_SIZE_BYTES });
    expect(readSize('2048TB')).toMatchObject({ ok: false, expected: expect.stringContaining(`at most ${MAX_SIZE_BYTES} bytes`) });
  });
});

describe('resolveSupervisorOptions', () => {
  it('a stop timeout past what a timer can wait is refused naming the key, the value and the limit (it used to SIGKILL at once)', () => {
    const [problem, ...rest] = problemsOf(() => resolveSupervisorOptions({ ...base, stop: { timeout: '600h' } }));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ option: 'stop.timeout', value: '600h', expected: expect.stringContaining(`at most ${MAX_DURATION_MS} ms`) });
    for (const option of ['readiness.timeout', 'liveness.heartbeatTimeout', 'restart.maxDelay', 'restart.crashLoop.window', 'limits.window', 'lock.ttl']) {
      const [section, key, sub] = option.split('.') as [string, string, string | undefined];
      const value = sub ? { [key]: { [sub]: '30d' } } : { [key]: '30d' };
      const extra = section === 'lock' ? { backend: 'redis', url: 'redis://x' } : {};
      expect(problemsOf(() => resolveSupervisorOptions({ ...base, [section]: { ...extra, ...value } })).map((p) => p.option), option).toContain(option);
    }
  });

  it('reports every problem at once, each by its key path', () => {
    const problems = problemsOf(() =>
      resolveSupervisorOptions({ ...base, restart: { delay: 'soon', policy: 'sometimes' as never }, limits: { memory: '-1MB' }, logs: { maxFiles: 0 } }),
    );
    expect(problems.map((p) => p.option).sort()).toEqual(['limits.memory', 'logs.maxFiles', 'restart.delay', 'restart.policy']);
  });

  it('a misspelt option is refused by name, not ignored, at every level', () => {
    const problems = problemsOf(() => resolveSupervisorOptions({ ...base, comand: 'x', restart: { dealy: '1s', crashLoop: { cuont: 3 } } } as never));
    expect(problems.map((p) => p.option).sort()).toEqual(['comand', 'restart.crashLoop.cuont', 'restart.dealy']);
    expect(problems[0]!.expected).toMatch(/no such option/);
  });

  it('restart.delay above restart.maxDelay is refused here, not later by a daemon', () => {
    const problems = problemsOf(() => resolveSupervisorOptions({ ...base, restart: { delay: '10s', maxDelay: '1s' } }));
    expect(problems).toEqual([{ option: 'restart.maxDelay', value: '1s', expected: 'a duration >= restart.delay (10000 ms)' }]);
  });

  it('the bounds are one set: restart.factor at most 10, limits.cpu from 0 (off), logs.maxFiles at most 100', () => {
    expect(problemsOf(() => resolveSupervisorOptions({ ...base, restart: { factor: 11 } })).map((p) => p.option)).toEqual(['restart.factor']);
    expect(resolveSupervisorOptions({ ...base, restart: { factor: 10 }, limits: { cpu: 0 } }).limits.cpuPercent).toBe(0);
    expect(problemsOf(() => resolveSupervisorOptions({ ...base, logs: { maxFiles: 101 } })).map((p) => p.option)).toEqual(['logs.maxFiles']);
  });

  it('env values may be numbers and booleans (as a YAML file writes them); names with "=" are refused', () => {
    expect(resolveSupervisorOptions({ ...base, env: { PORT: 3000, DEBUG: true, NAME: 'x' } }).env).toEqual({ PORT: '3000', DEBUG: 'true', NAME: 'x' });
    expect(problemsOf(() => resolveSupervisorOptions({ ...base, env: { 'A=B': 'x', OK: { nested: 1 } } as never })).map((p) => p.option).sort()).toEqual(['env.A=B', 'env.OK']);
  });
});

describe('service definitions (what a config file declares)', () => {
  it('are checked by the same rules as a Service, every problem with its path', () => {
    const problems = definitionProblems('api', {
      command: 'node',
      restart: { delay: '10s', maxDelay: '1s' },
      stop: { timeout: '600h' },
      listen: { port: 3000 },
      readiness: { type: 'tcp', port: 3000 },
      logDir: '/elsewhere',
      instances: 65,
    });
    expect(problems.map((p) => p.option).sort()).toEqual(['instances', 'logDir', 'readiness.type', 'restart.maxDelay', 'stop.timeout']);
  });

  it('name no option the host decides (name, logDir, runDir, orphanGuard, baseEnv, clocks), and nothing unknown', () => {
    for (const key of ['name', 'logDir', 'runDir', 'orphanGuard', 'baseEnv', 'now', 'random', 'instance']) expect(DEFINITION_KEYS).not.toContain(key);
    expect(DEFINITION_KEYS).toEqual(expect.arrayContaining(['command', 'instances', 'listen', 'lock', 'envFile']));
    expect(definitionProblems('api', { command: 'node' })).toEqual([]);
    expect(definitionProblems('api', 'node server.js')).toEqual([{ option: 'definition', value: 'node server.js', expected: 'an object of service options' }]);
    expect(() => checkServiceDefinition('../evil', { command: 'node' })).toThrow(expect.objectContaining({ code: 'EINVALID_OPTIONS', option: 'name' }));
  });

  it('a Service refuses what its definition check refuses, before anything happens', () => {
    expect(() => new Service({ ...base, instances: 2, lock: { backend: 'redis', url: 'redis://x' } })).toThrow(expect.objectContaining({ code: 'EINVALID_OPTIONS', option: 'lock' }));
    expect(() => new Service({ ...base, instance: 1 } as never)).toThrow(expect.objectContaining({ option: 'instance' }));
  });
});
