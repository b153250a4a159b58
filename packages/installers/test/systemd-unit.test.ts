import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, systemdEscape, type InstallerOptions } from '../src/index.js';
import { HOSTILE_ENV, HOSTILE_NAME, tempDirs } from './helpers.js';

const run = promisify(execFile);
const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const NAMES = [
  'api',
  HOSTILE_NAME,
  'a/b/c',
  '.hidden',
  '-leading-dash',
  'trailing backslash \\',
  'quotes "double" \'single\'',
  'specifiers %n %i %h %%',
  'dollars $HOME ${X} $$',
  'punctuation ;#=&|<>`',
  'ünïcödé 日本 🙂',
];

describe('systemdEscape', () => {
  it('escapes every name exactly like the systemd-escape binary', async () => {
    for (const name of NAMES) {
      const { stdout } = await run('systemd-escape', ['--', name]);
      expect(systemdEscape(name), name).toBe(stdout.replace(/\n$/, ''));
    }
  });
});

describe('generated units', () => {
  it('every variant passes systemd-analyze verify with nothing on stderr', async () => {
    const root = await dirs.make('svc-verify-');
    const entryDir = path.join(root, 'entry dir $X %n \\');
    mkdirSync(entryDir, { recursive: true });
    const svcEntry = path.join(entryDir, 'svc.js');
    writeFileSync(svcEntry, '');
    const runtime = path.join(root, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });

    for (const system of [false, true]) {
      const unitDir = path.join(root, system ? 'system' : 'user');
      const files: string[] = [];
      for (const [i, name] of NAMES.entries()) {
        const options: InstallerOptions = {
          name,
          description: i % 2 ? `desc of ${name}` : undefined,
          nodePath: process.execPath,
          svcEntry,
          configPath: i % 3 ? path.join(root, `cfg ${i} %n $X;#`, 'svc.config.json') : undefined,
          workingDirectory: path.join(root, `work ${name.replaceAll('/', '_')}`),
          env: i % 2 ? HOSTILE_ENV : {},
          stopTimeoutMs: 1000 * i,
          system,
          user: 'root',
          logDir: i % 4 === 1 ? path.join(root, `logs %n $X \\`) : undefined,
          platform: 'systemd',
          unitDir,
          lingerDir: root,
        };
        const definition = generate(options);
        mkdirSync(unitDir, { recursive: true });
        writeFileSync(definition.path, definition.content);
        files.push(definition.path);
      }
      const args = system ? ['verify', ...files] : ['--user', 'verify', ...files];
      const result = await run('systemd-analyze', args, { env: { ...process.env, XDG_RUNTIME_DIR: runtime } }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(result.stderr, `${system ? 'system' : 'user'} units`).toBe('');
      expect(result.code).toBe(0);
    }
  });

  it('an injected directive shows only on stderr: verify exits 0, so stderr is what the test above checks', async () => {
    const dir = await dirs.make('svc-verify-bad-');
    const file = path.join(dir, 'injected.service');
    // What a naive template makes of a description with a newline in it.
    writeFileSync(file, `[Unit]\nDescription=x\nInjected=yes\n\n[Service]\nExecStart=${process.execPath}\n`);
    const { stderr } = await run('systemd-analyze', ['verify', file]);
    expect(stderr).toMatch(/Unknown key 'Injected' in section \[Unit\]/);
  });

  it('system units run as the given user with hardening safe for Node, user units do not', () => {
    const base = {
      name: 'api',
      nodePath: '/usr/bin/node',
      svcEntry: '/opt/svc/bin/svc.js',
      workingDirectory: '/srv/api',
      stopTimeoutMs: 10_000,
      platform: 'systemd' as const,
    };
    const system = generate({ ...base, system: true, user: 'www-data', unitDir: '/nonexistent/system' }).content;
    expect(system).toContain('\nUser=www-data\n');
    expect(system).toContain('\nWantedBy=multi-user.target\n');
    expect(system).toContain('\nTimeoutStopSec=15\n');
    expect(system).toContain('\nKillMode=mixed\n');
    // `systemctl reload` sends the daemon SIGHUP, which reloads its services.
    expect(system).toContain('\nExecReload=/bin/kill -HUP $MAINPID\n');
    expect(system).toContain('\nRestart=on-failure\n');
    for (const line of ['NoNewPrivileges=yes', 'PrivateTmp=yes', 'ProtectSystem=full']) expect(system).toContain(`\n${line}\n`);
    expect(system).not.toContain('MemoryDenyWriteExecute');
    expect(system).not.toContain('Type=forking');

    const user = generate({ ...base, system: false, unitDir: '/nonexistent/user' });
    expect(user.content).toContain('\nWantedBy=default.target\n');
    expect(user.content).not.toContain('User=');
    expect(user.content).not.toContain('PrivateTmp');
    expect(user.path).toBe('/nonexistent/user/svc-api.service');
    expect(user.commands.map((c) => c.display)).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now svc-api.service']);
  });

  it('turns PrivateTmp off with a warning when the service lives under /tmp', () => {
    const definition = generate({
      name: 'api',
      nodePath: '/usr/bin/node',
      svcEntry: '/opt/svc/bin/svc.js',
      workingDirectory: '/tmp/api',
      stopTimeoutMs: 0,
      system: true,
      user: 'root',
      platform: 'systemd',
      unitDir: '/nonexistent',
    });
    expect(definition.content).not.toContain('PrivateTmp');
    expect(definition.warnings.map((w) => w.code)).toEqual(['WPRIVATE_TMP_OFF']);
  });
});
