import { describe, expect, it } from 'vitest';
import { checkServiceDefinition, definitionProblems, LIMITS, resolveSupervisorOptions, SERVICE_DEFAULTS } from '../src/index.js';

/** The one problem a definition has (with `command: node`), as the validator states it. */
function problem(definition: Record<string, unknown>): { option: string; expected: string } {
  const problems = definitionProblems('api', { command: 'node', ...definition });
  expect(problems, JSON.stringify(definition)).toHaveLength(1);
  return { option: problems[0]!.option, expected: problems[0]!.expected };
}

describe('watch: checked with the other options, every problem naming its key', () => {
  it('true watches cwd with the defaults; false and absent watch nothing', () => {
    const checked = checkServiceDefinition('api', { command: 'node', cwd: '/srv/app', watch: true });
    expect(checked.watch).toMatchObject({
      paths: ['.'],
      roots: ['/srv/app'],
      ignore: [],
      alwaysIgnored: ['node_modules', '.git'],
      debounceMs: SERVICE_DEFAULTS.watch.debounceMs,
      maxDirs: SERVICE_DEFAULTS.watch.maxDirs,
    });
    expect(checkServiceDefinition('api', { command: 'node', watch: false }).watch).toBeNull();
    expect(checkServiceDefinition('api', { command: 'node' }).watch).toBeNull();
    const own = checkServiceDefinition('api', { command: 'node', cwd: '/srv/app', watch: { paths: ['src', 'server.js'], ignore: ['*.log'], debounce: '2s' } }).watch;
    expect(own).toMatchObject({ roots: ['/srv/app/src', '/srv/app/server.js'], ignore: ['*.log'], debounceMs: 2000 });
  });

  it.each([
    [{ watch: 'yes' }, 'watch', 'true, false or an object { paths?, ignore?, debounce? }'],
    [{ watch: { paths: [] } }, 'watch.paths', `an array of 1-${LIMITS.watch.paths.max} files or directories relative to cwd`],
    [{ watch: { paths: 'src' } }, 'watch.paths', 'an array of 1-'],
    [{ watch: { paths: ['a\0b'] } }, 'watch.paths', 'an array of 1-'],
    [{ watch: { ignore: Array.from({ length: LIMITS.watch.ignore.max + 1 }, () => '*.log') } }, 'watch.ignore', `an array of 0-${LIMITS.watch.ignore.max} globs`],
    [{ watch: { ignore: ['/var/log'] } }, 'watch.ignore', 'a glob relative to cwd'],
    [{ watch: { ignore: ['*.{js,ts}'] } }, 'watch.ignore', 'a glob of `*`, `?` and `**` only'],
    [{ watch: { ignore: ['!keep.log'] } }, 'watch.ignore', 'a glob of `*`, `?` and `**` only'],
    [{ watch: { debounce: 5 } }, 'watch.debounce', `at least ${LIMITS.watch.debounce.min} ms`],
    [{ watch: { debounce: '2h' } }, 'watch.debounce', `at most ${LIMITS.watch.debounce.max} ms`],
    [{ watch: { pahts: ['src'] } }, 'watch.pahts', 'no such option (watch: paths, ignore, debounce)'],
  ])('%j is refused at its key', (definition, option, expected) => {
    const found = problem(definition);
    expect(found.option).toBe(option);
    expect(found.expected).toContain(expected);
  });
});

describe('restart.schedule and restart.timeZone', () => {
  it('take 5-field and 6-field expressions and nicknames, in an IANA time zone', () => {
    for (const schedule of ['0 3 * * *', '*/10 * * * * *', '@daily', '0 4 * * MON-FRI']) {
      expect(definitionProblems('api', { command: 'node', restart: { schedule, timeZone: 'Europe/Paris' } }), schedule).toEqual([]);
    }
    expect(checkServiceDefinition('api', { command: 'node', restart: { schedule: ' 0 3 * * * ' } }).schedule).toEqual({ expression: '0 3 * * *', timeZone: null });
  });

  it.each([
    ['0 3 * *', 'exactly five, six, or seven space separated parts'],
    ['61 * * * *', 'Invalid value for minute: 61'],
    ['0 0 0 1 1 * 2030', "mode '5-or-6-parts' requires exactly 5 or 6 parts"],
    ['@reboot', '@reboot is not supported'],
    ['2030-01-01T00:00:00', 'a date is not a schedule'],
    ['0 0 30 2 *', 'it never comes'],
  ])('an expression croner refuses (%s) is refused with its reason', (schedule, reason) => {
    const found = problem({ restart: { schedule } });
    expect(found.option).toBe('restart.schedule');
    expect(found.expected).toMatch(/^a cron expression: 5 fields/);
    expect(found.expected).toContain(reason);
  });

  it('refuses a schedule that is not a string or too long, a time zone that is no zone name, and a time zone without a schedule', () => {
    expect(problem({ restart: { schedule: 3 } }).option).toBe('restart.schedule');
    expect(problem({ restart: { schedule: `0 3 * * * ${' '.repeat(LIMITS.schedule.length)}` } }).expected).toContain(`at most ${LIMITS.schedule.length} characters`);
    for (const timeZone of ['Mars/Olympus', '+01:00', 7, '']) {
      expect(problem({ restart: { schedule: '@daily', timeZone } }), String(timeZone)).toMatchObject({ option: 'restart.timeZone', expected: expect.stringContaining('an IANA time zone name') });
    }
    expect(problem({ restart: { timeZone: 'UTC' } })).toEqual({ option: 'restart.timeZone', expected: 'restart.schedule beside it: the time zone is that of its times' });
  });

  it('are a Service’s: a Supervisor alone refuses them, and watch, by name', () => {
    const base = { name: 'x', command: 'node', logDir: '/nonexistent' };
    expect(() => resolveSupervisorOptions({ ...base, restart: { schedule: '@daily' } } as never)).toThrow(/invalid option restart\.schedule: "@daily"; expected no such option/);
    expect(() => resolveSupervisorOptions({ ...base, watch: true } as never)).toThrow(/invalid option watch: true; expected no such option/);
  });
});
