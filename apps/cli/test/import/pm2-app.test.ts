import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definitionProblems } from '@svc/supervisor/definition';
import { afterAll, describe, expect, it } from 'vitest';
import { NonData } from '../../src/import/non-data.js';
import { mapApp, type AppContext } from '../../src/import/pm2-app.js';
import { PM2_GAPS, PM2_MAPPED_KEYS } from '../../src/import/pm2-keys.js';

const dir = mkdtempSync(path.join(tmpdir(), 'svc-pm2-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const context: AppContext = { fileDir: dir, configDir: dir, profile: null, cpus: 8 };

/** A value of each mapped key that maps (and asks for something). */
const MAPPED_SAMPLES: Record<(typeof PM2_MAPPED_KEYS)[number], unknown> = {
  name: 'api',
  script: 'server.js',
  exec_interpreter: 'node',
  node_args: '--enable-source-maps',
  args: ['--port', '3000'],
  cwd: 'app',
  env: { NODE_ENV: 'production' },
  port: 3000,
  filter_env: true,
  instances: 2,
  exec_mode: 'cluster',
  wait_ready: true,
  listen_timeout: 8000,
  min_uptime: 1000,
  max_restarts: 10,
  exp_backoff_restart_delay: 100,
  restart_delay: 0,
  autorestart: false,
  stop_exit_codes: [78],
  kill_timeout: 5000,
  max_memory_restart: '300M',
  watch: ['src'],
  ignore_watch: ['*.log'],
  watch_delay: 1000,
  cron_restart: '0 3 * * *',
};

describe('one PM2 app as one svc service', () => {
  it('maps every key it says it maps, into a definition svc accepts', () => {
    const { restart_delay: _fixed, ...app } = MAPPED_SAMPLES;
    const { draft, skipped } = mapApp(app, context);
    expect(skipped).toBeNull();
    expect(draft.unmapped).toEqual([]);
    const definition = draft.build();
    expect(definitionProblems('api', definition)).toEqual([]);
    expect(definition).toEqual({
      command: 'node',
      args: ['--enable-source-maps', 'server.js', '--port', '3000'],
      cwd: 'app',
      env: { NODE_ENV: 'production', PORT: 3000 },
      inheritEnv: false,
      instances: 2,
      listen: { port: 3000, host: '0.0.0.0' },
      readiness: { type: 'notify', timeout: '8s', startWindow: '1s' },
      restart: { policy: 'never', delay: '100ms', factor: 1.5, maxDelay: '15s', resetAfter: '30s', crashLoop: { count: 10, window: '1m' }, neverRestartExitCodes: [78], schedule: '0 3 * * *' },
      watch: { paths: ['src'], ignore: ['*.log'], debounce: '1s' },
      stop: { signal: 'SIGINT', timeout: '5s' },
      limits: { memory: '300MB' },
    });
  });

  it('maps watch as PM2 reads it, and cron_restart unless it says none', () => {
    const map = (app: Record<string, unknown>) => mapApp({ script: 'a.js', ...app }, context).draft;
    expect(map({ watch: true }).build().watch).toEqual({ paths: ['.'] });
    expect(map({ watch: [] }).build().watch).toEqual({ paths: ['.'] });
    expect(map({ watch: 'src', ignore_watch: 'src/generated/**' }).build().watch).toEqual({ paths: ['src'], ignore: ['src/generated/**'] });
    // What svc never watches needs no pattern.
    expect(map({ watch: true, ignore_watch: ['node_modules', './.git/', 'logs'] }).build().watch).toEqual({ paths: ['.'], ignore: ['logs'] });
    expect(map({ watch: true }).notes.join('\n')).toMatch(/^watch → watch: one restart once the files have been quiet for watch\.debounce/m);
    // Without a watch, what it ignores and how long it waits ask for nothing.
    const off = map({ watch: false, ignore_watch: ['logs'], watch_delay: 500 });
    expect(off.build().watch).toBeUndefined();
    expect(off.unmapped).toEqual([]);
    expect(map({ watch: { src: true } }).unmapped).toEqual([{ key: 'watch', reason: 'expected true, a path or a list of paths (got {"src":true})' }]);
    expect(map({ watch: true, watch_delay: 'soon' }).unmapped).toEqual([{ key: 'watch_delay', reason: 'expected a number of milliseconds (got "soon")' }]);

    expect(map({ cron_restart: '0 */6 * * *' }).build().restart).toEqual({ schedule: '0 */6 * * *' });
    for (const none of [0, '0', '']) expect(map({ cron_restart: none }).build().restart, String(none)).toBeUndefined();
    expect(map({ cron_restart: 5 }).unmapped).toEqual([{ key: 'cron_restart', reason: 'expected a cron expression (got 5)' }]);
    // A 7-field expression (PM2's croner takes a year): svc's rules refuse it, reported against the PM2 key.
    const year = map({ cron: '0 0 3 * * * 2030' });
    const [problem] = definitionProblems('a', year.build());
    expect(year.refuse(problem!)).toBe(true);
    expect(year.build().restart).toBeUndefined();
    expect(year.unmapped).toEqual([{ key: 'cron', reason: expect.stringMatching(/^svc refuses restart\.schedule: "0 0 3 \* \* \* 2030": expected a cron expression: 5 fields .*requires exactly 5 or 6 parts/) as string }]);
  });

  it('maps restart_delay alone as a fixed delay, and reports it beside exp_backoff_restart_delay', () => {
    expect(mapApp({ script: 'a.js', restart_delay: 2000 }, context).draft.build().restart).toEqual({ delay: '2s', factor: 1, jitter: 0 });
    const both = mapApp({ script: 'a.js', restart_delay: 2000, exp_backoff_restart_delay: 20_000 }, context).draft;
    expect(both.build().restart).toEqual({ delay: '20s', factor: 1.5, maxDelay: '20s', resetAfter: '30s' });
    expect(both.unmapped).toEqual([{ key: 'restart_delay', reason: expect.stringContaining('exp_backoff_restart_delay') as string }]);
  });

  it('reports every key it has no equivalent for, unless its value asks for nothing', () => {
    for (const [key, gap] of Object.entries(PM2_GAPS)) {
      const asks = mapApp({ script: 'a.js', [key]: 'something' }, context).draft;
      expect(asks.unmapped, key).toEqual([{ key, reason: gap.reason }]);
      if (gap.inert) {
        const value = [false, true, 0, []].find((v) => gap.inert!(v));
        expect(mapApp({ script: 'a.js', [key]: value }, context).draft.unmapped, key).toEqual([]);
      }
    }
    expect(mapApp({ script: 'a.js', colour: 'blue' }, context).draft.unmapped).toEqual([{ key: 'colour', reason: 'not a key PM2 knows: nothing to map' }]);
  });

  it('takes PM2’s other names for a key, and reports the second of two', () => {
    const { draft } = mapApp({ exec: 'worker.py', interpreter: 'python3', interpreter_args: '-u', cron: '* * * * *', interpreterArgs: '-O' }, context);
    expect(draft.build()).toMatchObject({ command: 'python3', args: ['-u', 'worker.py'], restart: { schedule: '* * * * *' } });
    expect(draft.unmapped.map((u) => u.key)).toEqual(['interpreterArgs']);
  });

  it('reports a non-data value by what it was, and never writes it', () => {
    const { draft } = mapApp({ script: 'a.js', env: { A: '1', B: new NonData('a function value') }, kill_timeout: new NonData('a getter that threw') }, context);
    expect(draft.build()).toEqual({ command: 'node', args: ['a.js'], env: { A: '1' }, stop: { signal: 'SIGINT' } });
    expect(draft.unmapped).toEqual([
      { key: 'env.B', reason: 'a function value: only data can be imported (svc config files hold no code)' },
      { key: 'kill_timeout', reason: 'a getter that threw: only data can be imported (svc config files hold no code)' },
    ]);
  });

  it('takes out what svc refuses, with the PM2 key that asked for it and what went with it', () => {
    const { draft } = mapApp({ script: 'a.js', max_restarts: 0, kill_timeout: 2 ** 40 }, context);
    for (let problem = definitionProblems('a', draft.build())[0]; problem; problem = definitionProblems('a', draft.build())[0]) expect(draft.refuse(problem)).toBe(true);
    expect(draft.build()).toEqual({ command: 'node', args: ['a.js'], stop: { signal: 'SIGINT' } });
    expect(draft.unmapped.map((u) => u.key)).toEqual(['max_restarts', 'kill_timeout']);
    expect(draft.unmapped[0]!.reason).toMatch(/^svc refuses restart\.crashLoop\.count: 0: expected an integer from 1 to 1000$/);
  });

  it('runs a script as PM2 would: by extension, a command line with bash -c, a name not there from PATH', () => {
    const run = (app: Record<string, unknown>) => {
      const definition = mapApp(app, context).draft.build();
      return [definition.command, ...(definition.args ?? [])];
    };
    expect(run({ script: 'job.sh' })).toEqual(['bash', 'job.sh']);
    expect(run({ script: 'app.ts' })).toEqual(['node', 'app.ts']);
    expect(run({ script: 'npm', args: 'run serve' })).toEqual(['npm', 'run', 'serve']);
    expect(run({ script: 'npm run serve', args: ['ignored'] })).toEqual(['bash', '-c', 'npm run serve']);
    expect(run({ script: 'bin/server', interpreter: 'none', args: ['-v'] })).toEqual(['bin/server', '-v']);
    expect(run({ script: 'app.js', interpreter: 'node@18.20.0' })).toEqual(['node', 'app.js']);
  });

  it('in cluster mode without a port, writes instances but no listen, and says why', () => {
    const { draft } = mapApp({ script: 'app.js', instances: 'max', exec_mode: 'cluster' }, context);
    expect(draft.build()).toEqual({ command: 'node', args: ['app.js'], instances: 8, stop: { signal: 'SIGINT' } });
    expect(draft.notes.join('\n')).toMatch(/no port was found/);
    expect(mapApp({ script: 'app.js', instances: -1 }, context).draft.build().instances).toBe(7);
    expect(mapApp({ script: 'app.js', instances: 0 }, { ...context, cpus: 128 }).draft.build().instances).toBe(64);
  });
});
