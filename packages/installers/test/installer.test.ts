import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstaller, execFileRunner, isInstallerError, type InstallerOptions } from '../src/index.js';
import { HOSTILE_ENV, HOSTILE_NAME, recordingRunner, tempDirs } from './helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

// These tests are about files and the plan of commands; systemctl is answered by a recording
// runner here. What systemd does with the commands is shown by systemd-real.test.ts.
async function setup(overrides: Partial<InstallerOptions> = {}) {
  const root = await dirs.make('svc-installer-');
  const unitDir = path.join(root, 'units');
  const lingerDir = path.join(root, 'linger');
  const { runner, calls } = recordingRunner(({ args }) => (args.includes('is-enabled') ? { stdout: 'enabled\n' } : {}));
  const options: InstallerOptions = {
    name: HOSTILE_NAME,
    nodePath: '/usr/bin/node',
    svcEntry: '/opt/svc/bin/svc.js',
    workingDirectory: '/srv/app',
    env: HOSTILE_ENV,
    stopTimeoutMs: 10_000,
    platform: 'systemd',
    user: 'alice',
    unitDir,
    lingerDir,
    runner,
    ...overrides,
  };
  return { root, unitDir, lingerDir, calls, options, installer: createInstaller(options) };
}

describe('install', () => {
  it('writes the generated unit, reloads and enables it', async () => {
    const { installer, calls } = await setup();
    const result = await installer.install();
    expect(result.changed).toBe(true);
    expect(await readFile(installer.path, 'utf8')).toBe(installer.generate().content);
    expect((await stat(installer.path)).mode & 0o777).toBe(0o644);
    expect(calls.map((c) => [c.file, ...c.args].join(' '))).toEqual([
      'systemctl --user daemon-reload',
      `systemctl --user enable --now ${installer.serviceName}`,
    ]);
    expect(result.commands.every((c) => c.exitCode === 0)).toBe(true);
  });

  it('a second install with the same input is byte-identical and touches nothing', async () => {
    const { installer, calls, unitDir, options } = await setup();
    await installer.install();
    const before = await stat(installer.path);
    const bytes = await readFile(installer.path);
    calls.length = 0;
    const again = await createInstaller({ ...options, env: Object.fromEntries(Object.entries(HOSTILE_ENV).reverse()) }).install();
    expect(again.changed).toBe(false);
    expect(again.files).toEqual([]);
    expect((await readFile(installer.path)).equals(bytes)).toBe(true);
    const after = await stat(installer.path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    // Only the idempotent enable; no reload, no restart.
    expect(calls.map((c) => c.args.join(' '))).toEqual([`--user enable --now ${installer.serviceName}`]);
    expect(await readdir(unitDir)).toEqual([path.basename(installer.path)]);
  });

  it('a changed unit is replaced atomically, reloaded and the running service restarted', async () => {
    const { installer, calls, unitDir, options } = await setup();
    await installer.install();
    calls.length = 0;
    const changed = createInstaller({ ...options, stopTimeoutMs: 20_000 });
    const result = await changed.install({ enable: false });
    expect(result.changed).toBe(true);
    expect(await readFile(installer.path, 'utf8')).toContain('TimeoutStopSec=25');
    expect(calls.map((c) => c.args.join(' '))).toEqual(['--user daemon-reload', `--user try-restart ${installer.serviceName}`]);
    // No temporary file is left next to the unit.
    expect(await readdir(unitDir)).toEqual([path.basename(installer.path)]);
  });

  it('restartOnChange: false replaces and reloads a changed unit without restarting the running service', async () => {
    const { installer, calls, options } = await setup();
    await installer.install();
    calls.length = 0;
    const result = await createInstaller({ ...options, stopTimeoutMs: 30_000 }).install({ restartOnChange: false });
    expect(result.changed).toBe(true);
    expect(calls.map((c) => c.args.join(' '))).toEqual(['--user daemon-reload', `--user enable --now ${installer.serviceName}`]);
  });

  it('dry run writes nothing, runs nothing and returns exactly what would be written and run', async () => {
    const { installer, calls, unitDir } = await setup();
    const result = await installer.install({ dryRun: true, linger: true });
    expect(existsSync(unitDir)).toBe(false);
    expect(calls).toEqual([]);
    expect(result.dryRun).toBe(true);
    expect(result.files).toEqual([{ kind: 'write', path: installer.path, content: installer.generate().content, mode: 0o644 }]);
    expect(result.commands.map((c) => c.display)).toEqual([
      'systemctl --user daemon-reload',
      `systemctl --user enable --now '${installer.serviceName}'`,
      'loginctl enable-linger alice',
    ]);
    expect(result.commands.every((c) => c.exitCode === undefined)).toBe(true);
    const dry = await installer.uninstall({ dryRun: true });
    expect(dry.files).toEqual([]);
  });

  it('reports lingering for user units and warns when it is off', async () => {
    const { installer, lingerDir } = await setup();
    const off = await installer.install({ dryRun: true });
    expect(off.linger).toEqual({ user: 'alice', enabled: false, enableCommand: 'loginctl enable-linger alice' });
    expect(off.warnings.map((w) => w.code)).toContain('WLINGER_OFF');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(lingerDir, { recursive: true });
      await fs.writeFile(path.join(lingerDir, 'alice'), '');
    });
    const on = await installer.install({ dryRun: true });
    expect(on.linger?.enabled).toBe(true);
    expect(on.warnings.map((w) => w.code)).not.toContain('WLINGER_OFF');
    expect(await createInstaller({ ...(await setup()).options, system: true }).lingerStatus()).toBeUndefined();
  });
});

describe('enable, disable, uninstall, status', () => {
  it('enable and disable need an installed unit (ENOT_INSTALLED)', async () => {
    const { installer, calls } = await setup();
    for (const action of [() => installer.enable(), () => installer.disable()]) {
      const error = await action().catch((e: unknown) => e);
      expect(isInstallerError(error) && error.code).toBe('ENOT_INSTALLED');
    }
    expect(calls).toEqual([]);
    expect(await installer.isInstalled()).toBe(false);
    expect(await installer.isEnabled()).toBe(false);
  });

  it('disable --now, enable --now, and uninstall removes the unit and reloads', async () => {
    const { installer, calls, unitDir } = await setup();
    await installer.install();
    expect(await installer.isEnabled()).toBe(true);
    calls.length = 0;
    await installer.disable();
    await installer.enable();
    const removed = await installer.uninstall();
    expect(removed.changed).toBe(true);
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      `--user disable --now ${installer.serviceName}`,
      `--user enable --now ${installer.serviceName}`,
      `--user disable --now ${installer.serviceName}`,
      '--user daemon-reload',
      `--user reset-failed ${installer.serviceName}`,
    ]);
    expect(await readdir(unitDir)).toEqual([]);
    calls.length = 0;
    const again = await installer.uninstall();
    expect(again.changed).toBe(false);
    expect(calls).toEqual([]);
  });

  it('stop: false leaves a running service running: disable and uninstall without --now', async () => {
    const { installer, calls, unitDir } = await setup();
    await installer.install();
    calls.length = 0;
    await installer.disable({ stop: false });
    await installer.uninstall({ stop: false });
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      `--user disable ${installer.serviceName}`,
      `--user disable ${installer.serviceName}`,
      '--user daemon-reload',
      `--user reset-failed ${installer.serviceName}`,
    ]);
    expect(await readdir(unitDir)).toEqual([]);
    await expect(installer.uninstall({ stop: 'no' as never })).rejects.toMatchObject({ code: 'EINVALID_OPTION' });
  });

  it('args replace `run <name> --config <file>` in what the unit runs', async () => {
    const { installer } = await setup({ name: 'daemon', args: ['daemon', 'run', '--service', 'api@/srv/a b/svc.config.yaml'] });
    expect(installer.generate().content).toContain('ExecStart="/usr/bin/node" "/opt/svc/bin/svc.js" "daemon" "run" "--service" "api@/srv/a b/svc.config.yaml"');
    for (const args of [[], ['run', 42], 'run api']) {
      const { options } = await setup();
      expect(() => createInstaller({ ...options, args: args as never })).toThrow(expect.objectContaining({ code: 'EINVALID_OPTION' }));
    }
  });

  it('a failing command is ECOMMAND_FAILED with its exit code and stderr', async () => {
    const failing = (_file: string, _args: readonly string[]) =>
      execFileRunner(process.execPath, ['-e', 'process.stderr.write("Access denied"); process.exit(4)']);
    const { installer } = await setup({ runner: failing });
    const error = await installer.install().catch((e: unknown) => e);
    expect(isInstallerError(error) && error.code).toBe('ECOMMAND_FAILED');
    expect(error).toMatchObject({ exitCode: 4, stderr: 'Access denied', command: 'systemctl --user daemon-reload' });
  });

  it('a missing command is ECOMMAND_NOT_FOUND', async () => {
    const missing = (file: string, args: readonly string[]) => execFileRunner(`/nonexistent/bin/${file}`, args);
    const { installer } = await setup({ runner: missing });
    const error = await installer.install().catch((e: unknown) => e);
    expect(isInstallerError(error) && error.code).toBe('ECOMMAND_NOT_FOUND');
  });

  it('an unwritable unit directory is EWRITE_FAILED and leaves no temporary file', async () => {
    const { root, options } = await setup();
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, '');
    const installer = createInstaller({ ...options, unitDir: path.join(blocker, 'units') });
    const error = await installer.install().catch((e: unknown) => e);
    expect(isInstallerError(error) && error.code).toBe('EWRITE_FAILED');
    expect(await readdir(root)).toEqual(['a-file']);
  });
});
