import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_APPS, MAX_FILE_BYTES } from '../../src/import/import-limits.js';
import { SVC, svc, type Result } from '../helpers.js';

/*
 * `svc import pm2` on real ecosystem files (test/fixtures/pm2), with the built CLI: each fixture
 * is copied to a directory of its own, imported there, the written svc.config.yaml read back, and
 * checked with `svc config validate`.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pm2');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a fixture directory (its package.json says what kind of module a .js file is). */
function fixture(name: string): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'svc-import-')));
  dirs.push(dir);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const env = (dir: string) => ({ SVC_HOME: path.join(dir, '.svc-home') });

function importPm2(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return svc(['import', 'pm2', ...args], { cwd: dir, env: { ...env(dir), ...extraEnv } });
}

interface Written {
  services: Record<string, Record<string, unknown>>;
}

function written(dir: string, name = 'svc.config.yaml'): Written {
  return parse(readFileSync(path.join(dir, name), 'utf8')) as Written;
}

async function expectValid(dir: string, services: string[], config = 'svc.config.yaml'): Promise<void> {
  const result = await svc(['config', 'validate', '--config', config, '--json'], { cwd: dir, env: env(dir) });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({ file: path.join(dir, config), valid: true, services });
}

interface Report {
  file: string;
  output: string;
  written: boolean;
  executed: boolean;
  env: string | null;
  services: Array<{ name: string; app: string; index: number; notes: string[] }>;
  unmapped: Array<{ app: string | null; service: string | null; key: string; reason: string }>;
  config: Written;
  yaml?: string;
}

const RUNS_CODE = /^svc import: .* is JavaScript: running it to read its apps/m;

describe('svc import pm2: ecosystem files of each shape', () => {
  it('a CommonJS ecosystem.config.js: cluster API and Python worker, every other key reported, the file valid', async () => {
    const dir = fixture('cjs');
    const result = await importPm2(dir, ['ecosystem.config.js']);
    expect(result.code).toBe(0);
    // Said before it ran: the notice, then the file's own output is not shown.
    expect(result.stderr).toMatch(RUNS_CODE);
    expect(result.stdout).not.toContain('ecosystem.config.js loaded');
    expect(result.stdout).toMatch(new RegExp(`^wrote ${path.join(dir, 'svc.config.yaml')}: 2 services from ecosystem.config.js$`, 'm'));

    expect(written(dir).services).toEqual({
      api: {
        command: 'node',
        args: ['--enable-source-maps', '--max-old-space-size=256', 'dist/server.js'],
        env: { NODE_ENV: 'development', PORT: 3000, LOG_LEVEL: 'debug' },
        instances: 4,
        listen: { port: 3000, host: '0.0.0.0' },
        readiness: { type: 'notify', timeout: '8s', startWindow: '5s' },
        restart: { delay: '100ms', factor: 1.5, maxDelay: '15s', resetAfter: '30s', crashLoop: { count: 10, window: '1m' }, schedule: '0 3 * * *' },
        stop: { signal: 'SIGINT', timeout: '5s' },
        limits: { memory: '300MB' },
        watch: { paths: ['src'] },
      },
      'email-worker': {
        command: 'python3',
        args: ['worker.py', '--queue', 'emails', '--label="bulk mail"'],
        cwd: 'worker',
        restart: { policy: 'never', delay: '2s', factor: 1, jitter: 0, neverRestartExitCodes: [78] },
        stop: { signal: 'SIGINT' },
      },
    });

    // The report: what the app must change, the rename, and every key not mapped with its reason.
    const report = result.stdout;
    expect(report).toMatch(/^api ← PM2 app "api"$/m);
    expect(report).toMatch(/^ {2}cluster mode → 4 instances on listen 0\.0\.0\.0:3000.*must serve on fd 3/m);
    expect(report).toMatch(/^ {2}wait_ready → readiness notify: the app must send process\.send\(\{ svc: 'ready' \}\)/m);
    expect(report).toMatch(/^ {2}watch → watch: one restart once the files have been quiet for watch\.debounce .*watches only with --watch$/m);
    expect(report).toMatch(/^ {2}cron_restart → restart\.schedule: a graceful restart at 0 3 \* \* \* \(a reload with listen\), in the daemon's local time/m);
    expect(report).toMatch(/^email-worker ← PM2 app "email worker"$/m);
    expect(report).toMatch(/^ {2}renamed: a service name is 1–64 letters/m);
    for (const [key, reason] of [
      ['env_production', 'svc has no environment profiles: import again with --env production'],
      ['env_staging', 'svc has no environment profiles'],
      ['error_file', 'svc has no per-service log paths'],
      ['out_file', 'svc has no per-service log paths'],
      ['instance_var', 'svc numbers instances in SVC_INSTANCE'],
    ]) {
      expect(report).toContain(`  not mapped: ${key}: ${reason}`);
    }
    expect(report).toMatch(/^ {2}deploy: svc has no deploy/m);
    expect(report).toMatch(/^6 keys not mapped \(listed above\)\. Next, from .*: svc config validate, then svc start --all$/m);
    // What svc now maps is no longer reported.
    for (const key of ['watch', 'ignore_watch', 'cron_restart']) expect(report).not.toContain(`not mapped: ${key}:`);
    // merge_logs: true asks for what svc always does: nothing to report.
    expect(report).not.toContain('merge_logs');
    // The written file says the same in comments.
    const text = readFileSync(path.join(dir, 'svc.config.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}# not mapped: error_file: svc has no per-service log paths/m);
    expect(text).toMatch(/^# not mapped: deploy: svc has no deploy/m);

    await expectValid(dir, ['api', 'email-worker']);
  });

  it('--json: the same report as data; --env production merges env_production over env', async () => {
    const dir = fixture('cjs');
    const result = await importPm2(dir, ['ecosystem.config.js', '--env', 'production', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ file: path.join(dir, 'ecosystem.config.js'), output: path.join(dir, 'svc.config.yaml'), written: true, executed: true, env: 'production' });
    expect(report.services.map((s) => [s.name, s.app, s.index])).toEqual([
      ['api', 'api', 0],
      ['email-worker', 'email worker', 1],
    ]);
    expect(report.config.services.api!.env).toEqual({ NODE_ENV: 'production', PORT: 3000, LOG_LEVEL: 'info' });
    expect(written(dir)).toEqual(report.config);
    const keys = report.unmapped.map((u) => `${u.app ?? '-'}/${u.service ?? '-'}/${u.key}`);
    expect(keys).toContain('api/api/env_staging');
    expect(keys).not.toContain('api/api/env_production');
    expect(keys).toContain('email worker/email-worker/instance_var');
    expect(keys).toContain('-/-/deploy');
    expect(report.unmapped.find((u) => u.key === 'error_file')!.reason).toMatch(/^svc has no per-service log paths: .*svc describe api prints them\)$/);
    // ignore_watch: ['node_modules'] asks for what svc never watches anyway.
    expect(report.config.services.api!.watch).toEqual({ paths: ['src'] });
    await expectValid(dir, ['api', 'email-worker']);

    // A profile no app has is bad usage, naming the ones there are.
    const missing = await importPm2(dir, ['ecosystem.config.js', '--env', 'prod', '--force']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Error: --env prod: no app of .* has env_prod \(profiles: production, staging\)$/m);
  });

  it('an ES module (.mjs, export default): instances "max" becomes this machine’s CPUs, cluster mode a shared socket', async () => {
    const dir = fixture('esm');
    const result = await importPm2(dir, ['ecosystem.config.mjs']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(RUNS_CODE);
    const cpus = Math.min(64, availableParallelism());
    expect(written(dir).services).toEqual({
      web: {
        command: 'node',
        args: ['server.mjs'],
        env: { PORT: 8080 },
        instances: cpus,
        listen: { port: 8080, host: '0.0.0.0' },
        readiness: { type: 'notify' },
        stop: { signal: 'SIGINT' },
      },
      jobs: { command: 'node', args: ['jobs.mjs'], instances: 4, stop: { signal: 'SIGINT' } },
    });
    expect(result.stdout).toContain(`  instances "max" → ${cpus}: this machine's CPUs`);
    expect(result.stdout).toMatch(/^ {2}fork mode: 4 copies, each binding its own port/m);
    await expectValid(dir, ['web', 'jobs']);
  });

  it('a .json file: read as data (never run), values as PM2 reads them, an app without script not imported', async () => {
    const dir = fixture('json');
    const result = await importPm2(dir, ['ecosystem.json', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.executed).toBe(false);
    expect(written(dir).services).toEqual({
      gateway: {
        command: 'node',
        args: ['--enable-source-maps', 'index.js', '--port', '4000', '--verbose'],
        env: { NODE_ENV: 'production', FEATURE_X: true },
        instances: 4,
        restart: { policy: 'always', neverRestartExitCodes: [78] },
        stop: { signal: 'SIGINT' },
        limits: { memory: '100MB' },
      },
    });
    expect(report.services[0]!.notes.join('\n')).toContain('cluster mode, but no port was found');
    expect(report.unmapped).toEqual([
      { app: null, service: null, key: 'deploy', reason: expect.stringContaining('svc has no deploy') as string },
      { app: 'gateway', service: 'gateway', key: 'env.NOTHING', reason: "svc's env values are strings, numbers or booleans (got null)" },
      // `time: true` (prefix each line with its time) is what svc always does: not reported.
      { app: 'gateway', service: 'gateway', key: 'pmx', reason: expect.stringContaining('PM2 Plus') as string },
      { app: 'no-script', service: null, key: 'script', reason: 'no script: PM2 refuses such an app too; not imported' },
    ]);
    await expectValid(dir, ['gateway']);
  });

  it('a .yaml file: names made valid and unique, a command line run with bash -c, an absolute cwd kept', async () => {
    const dir = fixture('yaml');
    const result = await importPm2(dir, ['ecosystem.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(written(dir).services).toEqual({
      'api-v2': { command: 'node', args: ['server.js'], env: { NODE_ENV: 'development' }, instances: 2, stop: { signal: 'SIGINT', timeout: '3s' } },
      'API-V2-2': { command: 'bash', args: ['-c', 'npm run start:queue'], cwd: '/srv/queue', stop: { signal: 'SIGINT' } },
    });
    expect(result.stdout).toMatch(/^API-V2-2 ← PM2 app "API@V2"\n {2}renamed: .*; and another app has that name$/m);
    expect(result.stdout).toContain('  not mapped: env_staging: svc has no environment profiles: import again with --env staging');
    await expectValid(dir, ['api-v2', 'API-V2-2']);
  });

  it('one app exported on its own (.cjs): named after its script, an extensionless Node script run with node', async () => {
    const dir = fixture('single');
    const result = await importPm2(dir, ['ecosystem.config.cjs']);
    expect(result.code).toBe(0);
    expect(written(dir).services).toEqual({
      www: { command: 'node', args: ['./bin/www'], env: { PORT: 5000 }, restart: { policy: 'always', delay: '500ms', factor: 1, jitter: 0 }, stop: { signal: 'SIGINT' } },
    });
    expect(result.stdout).toContain('every key mapped.');
    await expectValid(dir, ['www']);
  });
});

describe('svc import pm2: hostile ecosystem files', () => {
  it('values that are not data (functions, a Date, a throwing getter, a cycle) are reported, never written', async () => {
    const dir = fixture('hostile');
    const result = await importPm2(dir, ['function-value.config.js', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(written(dir).services).toEqual({ fn: { command: 'node', args: ['app.js'], env: { REGION: 'eu-west-1' }, stop: { signal: 'SIGINT' } } });
    const reasons = Object.fromEntries(report.unmapped.map((u) => [`${u.app}:${u.key}`, u.reason]));
    expect(reasons).toMatchObject({
      'fn:env.TOKEN': 'a function value: only data can be imported (svc config files hold no code)',
      'fn:args': 'it holds a function value: only data can be imported (svc config files hold no code)',
      'fn:post_start': 'a function value: only data can be imported (svc config files hold no code)',
      'fn:started': 'a Date object: only data can be imported (svc config files hold no code)',
      'fn:secrets': 'a getter that threw: only data can be imported (svc config files hold no code)',
      'fn:self': 'a circular reference: only data can be imported (svc config files hold no code)',
      'script-is-code:script': 'no script: PM2 refuses such an app too; not imported',
    });
    expect(readFileSync(path.join(dir, 'svc.config.yaml'), 'utf8')).not.toMatch(/=>|process\.env\.TOKEN/);
    await expectValid(dir, ['fn']);
  });

  it('a file that throws: a clear error with where it threw, nothing written, exit 1', async () => {
    const dir = fixture('hostile');
    const result = await importPm2(dir, ['throws.config.js']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(RUNS_CODE);
    expect(result.stderr).toMatch(/^Error: throws\.config\.js threw when run: Error: DATABASE_URL is not set \(at .*throws\.config\.js:2:\d+\)\)$/m);
    expect(result.stderr).not.toMatch(/^\s+at .*node:internal/m);
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(false);

    const json = await importPm2(dir, ['throws.config.js', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'EIMPORT_READ', message: expect.stringContaining('DATABASE_URL is not set') as string } });

    // With what it insists on, the same file imports.
    expect((await importPm2(dir, ['throws.config.js'], { SVC_FIXTURE_DATABASE_URL: 'postgres://db' })).stderr).toMatch(/no apps/);
  });

  it('a file that never finishes is stopped at --timeout; one that gives 64 MiB is stopped at the cap', async () => {
    const dir = fixture('hostile');
    const loops = await importPm2(dir, ['loops.config.js', '--timeout', '1500']);
    expect(loops.code).toBe(1);
    expect(loops.stderr).toMatch(/^Error: loops\.config\.js did not finish within 1500 ms \(more with --timeout\)$/m);
    const floods = await importPm2(dir, ['floods.config.js']);
    expect(floods.code).toBe(1);
    expect(floods.stderr).toMatch(/^Error: floods\.config\.js gave more than 16 MiB of data/m);
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(false);
  });

  it('what the file starts does not outlive the import', async () => {
    const dir = fixture('hostile');
    const pidFile = path.join(dir, 'left.pid');
    const result = await importPm2(dir, ['leaves-process.config.js'], { SVC_FIXTURE_PID_FILE: pidFile });
    expect(result.code).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // SIGKILLed with its group before the import returned; gone once its new parent reaps it.
    await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);
  });

  it('svc interrupted while a file runs: the file’s process ends with it, nothing is written', async () => {
    const dir = fixture('hostile');
    const pidFile = path.join(dir, 'hangs.pid');
    const run = spawn(process.execPath, [SVC, 'import', 'pm2', 'hangs.config.js'], { cwd: dir, env: { ...process.env, ...env(dir), SVC_FIXTURE_PID_FILE: pidFile }, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => run.once('exit', (code, signal) => resolve({ code, signal })));
    const filePid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0);
    await expect.poll(filePid, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    const pid = filePid();
    expect(isAlive(pid)).toBe(true);
    run.kill('SIGINT');
    expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(false);
  });

  it('a huge file is refused by its app count or its size, fast and without running anything', async () => {
    const dir = fixture('hostile');
    const apps = Array.from({ length: 10_000 }, (_, i) => ({ name: `app-${i}`, script: 'server.js', env: { NODE_ENV: 'production', PORT: String(3000 + i), NOTES: 'x'.repeat(400) } }));
    writeFileSync(path.join(dir, 'huge.json'), JSON.stringify({ apps }));
    const many = await importPm2(dir, ['huge.json']);
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(new RegExp(`^Error: .*huge\\.json has 10000 apps: svc imports up to ${MAX_APPS} at once$`, 'm'));

    const code = `// ${'x'.repeat(MAX_FILE_BYTES)}\nrequire('node:fs').writeFileSync(__dirname + '/ran.txt', '');\n`;
    writeFileSync(path.join(dir, 'big.config.js'), code);
    const big = await importPm2(dir, ['big.config.js']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(new RegExp(`^Error: .*big\\.config\\.js has ${Buffer.byteLength(code)} bytes: svc imports ecosystem files of up to ${MAX_FILE_BYTES} bytes \\(8 MiB\\)$`, 'm'));
    expect(big.stderr).not.toMatch(RUNS_CODE);
    expect(existsSync(path.join(dir, 'ran.txt'))).toBe(false);
  });

  it('as many apps as the limit: imported, and valid', async () => {
    const dir = fixture('hostile');
    const apps = Array.from({ length: MAX_APPS }, (_, i) => ({ name: `worker ${i % 10}`, script: 'worker.js', instances: 2, exec_mode: 'cluster', port: 4000 + i, pid_file: 'worker.pid' }));
    writeFileSync(path.join(dir, 'many.config.js'), `module.exports = ${JSON.stringify({ apps })};\n`);
    const result = await importPm2(dir, ['many.config.js', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.services).toHaveLength(MAX_APPS);
    expect(new Set(report.services.map((s) => s.name.toLowerCase())).size).toBe(MAX_APPS);
    expect(report.unmapped.filter((u) => u.key === 'pid_file')).toHaveLength(MAX_APPS);
    await expectValid(
      dir,
      report.services.map((s) => s.name),
    );
  });

  it('names and keys that try to write YAML of their own stay inside their comment or their quotes', async () => {
    const dir = fixture('hostile');
    // "__proto__" from JSON.parse: an object literal would take it as the prototype, not as a key.
    const env = JSON.parse('{"__proto__": "proto"}') as Record<string, string>;
    env['A\rB'] = 'line\nbreak';
    const evil = {
      name: 'evil\nservices:\n  pwned: { command: touch }',
      script: 'app.js',
      'x\r  pwned:\r    command: touch': 1,
      'y\u2028pwned: 1': 1,
      env,
    };
    writeFileSync(path.join(dir, 'evil.json'), JSON.stringify({ apps: [evil, { name: 'nul', script: 'a\u0000b.js' }] }));
    const result = await importPm2(dir, ['evil.json', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const [service] = report.services;
    expect(service!.name).toBe('evil-services-pwned-command-touch');
    // As JSON: an own "__proto__" key is what is compared, not a prototype.
    expect(JSON.stringify(written(dir))).toBe(JSON.stringify(report.config));
    expect(Object.keys(written(dir).services)).toEqual([service!.name]);
    expect(JSON.stringify(written(dir).services[service!.name]!.env)).toBe('{"__proto__":"proto","A\\rB":"line\\nbreak"}');
    expect(readFileSync(path.join(dir, 'svc.config.yaml'), 'utf8')).toMatch(/^ {2}# not mapped: x {3}pwned: {5}command: touch: not a key PM2 knows/m);
    expect(report.unmapped.find((u) => u.app === 'nul')).toMatchObject({ key: 'script', reason: expect.stringContaining('svc refuses') as string });
    await expectValid(dir, [service!.name]);
  });

  it('CommonJS in a "type": "module" package: the error says why and what to do', async () => {
    const dir = fixture('hostile/esm-by-accident');
    const result = await importPm2(dir, ['ecosystem.config.js']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: ecosystem\.config\.js threw when run: ReferenceError: module is not defined in ES module scope/m);
    expect(result.stderr).toContain('.cjs');
  });
});

describe('svc import pm2: writing', () => {
  it('never over an existing file without --force, and then runs nothing; --force replaces it', async () => {
    const dir = fixture('hostile');
    writeFileSync(path.join(dir, 'svc.config.yaml'), 'services: {}\n');
    const refused = await importPm2(dir, ['marks-run.config.js']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: .*svc\.config\.yaml already exists\nUse --force to overwrite it/m);
    expect(refused.stderr).not.toMatch(RUNS_CODE);
    expect(existsSync(path.join(dir, 'ran.txt'))).toBe(false);
    expect(readFileSync(path.join(dir, 'svc.config.yaml'), 'utf8')).toBe('services: {}\n');
    const json = await importPm2(dir, ['marks-run.config.js', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'EIMPORT_EXISTS' } });

    const forced = await importPm2(dir, ['marks-run.config.js', '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(path.join(dir, 'ran.txt'))).toBe(true);
    expect(Object.keys(written(dir).services)).toEqual(['marks']);
  });

  it('never where another svc.config.* would be read first, --force or not', async () => {
    const dir = fixture('json');
    writeFileSync(path.join(dir, 'svc.config.json'), '{"services":{}}');
    const result = await importPm2(dir, ['ecosystem.json', '--force']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*svc\.config\.json is there too, and svc reads it before svc\.config\.yaml$/m);
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(false);
  });

  it('--dry-run prints the config and writes nothing; --config writes elsewhere, cwd rewritten to match', async () => {
    const dir = fixture('cjs');
    const dry = await importPm2(dir, ['ecosystem.config.js', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(false);
    expect((parse(dry.stdout) as Written).services['email-worker']!.cwd).toBe('worker');
    expect(dry.stderr).toMatch(/svc\.config\.yaml \(not written: --dry-run\): 2 services from ecosystem\.config\.js/);
    const dryJson = JSON.parse((await importPm2(dir, ['ecosystem.config.js', '--dry-run', '--json'])).stdout) as Report;
    expect(dryJson.written).toBe(false);
    expect(parse(dryJson.yaml!)).toEqual(dryJson.config);

    mkdirSync(path.join(dir, 'deploy'));
    const elsewhere = await importPm2(dir, ['ecosystem.config.js', '--config', 'deploy/svc.production.yaml', '--env', 'production']);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toMatch(/svc config validate --config .*deploy\/svc\.production\.yaml, then svc start --all --config/);
    const services = written(path.join(dir, 'deploy'), 'svc.production.yaml').services;
    expect(services.api!.cwd).toBe('..');
    expect(services['email-worker']!.cwd).toBe('../worker');
    await expectValid(dir, ['api', 'email-worker'], 'deploy/svc.production.yaml');
  });

  it('bad usage (exit 2): a file svc cannot read by its name, a config that is not YAML; a missing file fails (exit 1)', async () => {
    const dir = fixture('json');
    writeFileSync(path.join(dir, 'ecosystem.txt'), '{}');
    const txt = await importPm2(dir, ['ecosystem.txt']);
    expect(txt.code).toBe(2);
    expect(txt.stderr).toMatch(/^Error: ecosystem\.txt is not an ecosystem file svc can read: expected \.js, \.cjs, \.mjs \(run as code\), \.json or \.yaml\/\.yml\nSee: svc import pm2 --help$/m);
    expect((await importPm2(dir, ['ecosystem.json', '--config', 'svc.config.json'])).code).toBe(2);
    expect((await importPm2(dir, [])).code).toBe(2);
    const missing = await importPm2(dir, ['nope.json', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'EIMPORT_READ', message: expect.stringContaining('nope.json') as string } });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: no such process.
    return false;
  }
  // A zombie still answers signal 0: it is gone when its state says so.
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No /proc entry by now: it is gone.
    return false;
  }
}
