import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULTS as SUPERVISOR_DEFAULTS } from '@svc/supervisor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands.js';
import { svc } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'svc-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ SVC_HOME: path.join(dir, 'home'), HOME: path.join(dir, 'user-home'), XDG_CONFIG_HOME: path.join(dir, 'user-home', '.config') });

describe('exit codes: 0 success, 1 failure, 2 bad usage', () => {
  it('0 for success', async () => {
    const result = await svc(['init'], { cwd: dir, env: env() });
    expect(result).toMatchObject({ code: 0 });
    expect((await svc(['config', 'validate'], { cwd: dir, env: env() })).code).toBe(0);
  });

  it('1 for a failure, with a one-line message and no stack trace', async () => {
    writeFileSync(path.join(dir, 'svc.config.json'), JSON.stringify({ services: { api: { command: 'x', restart: { delay: 'soon' } } } }));
    const result = await svc(['config', 'validate'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: invalid config .*svc\.config\.json:\n {2}services\.api\.restart\.delay: expected a duration/);
    expect(result.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('2 for an unknown command, a missing argument or an unknown flag', async () => {
    expect((await svc(['frobnicate'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await svc(['install'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await svc(['status', '--bogus'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await svc(['logs', 'api', '-n', 'many'], { cwd: dir, env: env() })).code).toBe(2);
  });

  it('1 for a CLI-level error such as a missing config, with what to do next', async () => {
    const result = await svc(['start', 'api'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no svc config found');
    expect(result.stderr).toContain('svc init');
  });
});

describe('--json', () => {
  it('errors are { error: { code, message } } on stdout, with the error data', async () => {
    writeFileSync(path.join(dir, 'svc.config.json'), JSON.stringify({ services: { api: { comand: 'x' } } }));
    const result = await svc(['config', 'validate', '--json'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { error: { code: string; message: string; problems: Array<{ path: string }> } };
    expect(body.error.code).toBe('ECONFIG');
    expect(body.error.message).toContain('unknown key "comand"');
    expect(body.error.problems.map((p) => p.path)).toContain('services.api.command');
  });

  it('success is the command result and nothing else', async () => {
    await svc(['init'], { cwd: dir, env: env() });
    const result = await svc(['config', 'validate', '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(result.stdout)).toEqual({ file: path.join(dir, 'svc.config.yaml'), valid: true, services: ['api'] });
  });

  it('status with nothing running is an empty array', async () => {
    const result = await svc(['status', '--json'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

describe('help', () => {
  it.each(Object.keys(COMMANDS))('svc %s --help has a summary and examples and exits 0', async (id) => {
    const command = COMMANDS[id]!;
    expect(command.summary ?? command.description).toBeTruthy();
    expect(command.examples?.length).toBeGreaterThan(0);
    const result = await svc([...id.split(':'), '--help'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('EXAMPLES');
  });
});

describe('init and config', () => {
  it('init writes a starter that is valid as written, and refuses to overwrite it', async () => {
    await svc(['init'], { cwd: dir, env: env() });
    expect(existsSync(path.join(dir, 'svc.config.yaml'))).toBe(true);
    const again = await svc(['init'], { cwd: dir, env: env() });
    // Bad usage (EUSAGE): the file is there, and --force is what overwrites it.
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });

  it('config show prints every default, from the supervisor’s own defaults', async () => {
    writeFileSync(path.join(dir, 'svc.config.json'), JSON.stringify({ services: { api: { command: 'node', stop: { timeout: '3s' } } } }));
    const result = await svc(['config', 'show', '--json'], { cwd: dir, env: env() });
    const shown = JSON.parse(result.stdout) as { services: { api: { restart: { delayMs: number; crashLoop: unknown }; stop: { timeoutMs: number }; logs: { maxFiles: number } } } };
    expect(shown.services.api.stop.timeoutMs).toBe(3000);
    expect(shown.services.api.restart.delayMs).toBe(SUPERVISOR_DEFAULTS.restart.delayMs);
    expect(shown.services.api.restart.crashLoop).toEqual(SUPERVISOR_DEFAULTS.restart.crashLoop);
    expect(shown.services.api.logs.maxFiles).toBe(SUPERVISOR_DEFAULTS.logs.maxFiles);
  });
});

describe('install', () => {
  it('--dry-run prints the unit and the commands, and writes nothing', async () => {
    await svc(['init'], { cwd: dir, env: env() });
    const result = await svc(['install', 'api', '--dry-run'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would write');
    // One unit for the per-user daemon, listing the service: never a daemon per service.
    expect(result.stdout).toMatch(/svc-daemon\.service/);
    expect(result.stdout).toMatch(/ExecStart=.*"daemon" "run" "--service" "api@.*svc\.config\.yaml"/);
    expect(result.stdout).toContain('systemctl --user');
    expect(existsSync(path.join(dir, 'user-home'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['svc.config.yaml']);
  });

  it('--system --user: one system unit for that account, with its own SVC_HOME; nothing written in a dry run', async () => {
    await svc(['init'], { cwd: dir, env: env() });
    const result = await svc(['install', 'api', '--system', '--user', 'nobody', '--dry-run', '--json'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as { installed: Array<{ service: string; enabled: boolean }>; unit: { serviceName: string; files: Array<{ content: string }> } };
    expect(outcome.installed).toEqual([{ config: path.join(dir, 'svc.config.yaml'), service: 'api', enabled: true }]);
    expect(outcome.unit.serviceName).toBe('svc-daemon.nobody.service');
    const unit = outcome.unit.files[0]!.content;
    expect(unit).toContain('User=nobody');
    expect(unit).toContain('Environment="SVC_HOME=/var/lib/svc/nobody"');
    expect(unit).toContain('"daemon" "run" "--service" "api@');
    expect(readdirSync(dir).sort()).toEqual(['svc.config.yaml']);
  });

  it('an unknown service is a clear error', async () => {
    await svc(['init'], { cwd: dir, env: env() });
    const result = await svc(['install', 'nope', '--dry-run'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no service "nope"');
  });
});
