import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstaller, generate, type InstallerOptions } from '../src/index.js';
import { HOSTILE_ENV, HOSTILE_NAME, recordingRunner, tempDirs } from './helpers.js';

const run = promisify(execFile);
const dirs = tempDirs();
afterAll(() => dirs.cleanup());

// Strict parse by Apple's format as Python implements it; prints the two keys back as JSON.
const PARSE = `
import json, plistlib, sys
data = plistlib.loads(open(sys.argv[1], 'rb').read(), fmt=plistlib.FMT_XML)
print(json.dumps({k: data[k] for k in data if k not in ()}, default=str))
`;

function options(overrides: Partial<InstallerOptions> = {}): InstallerOptions {
  return {
    name: HOSTILE_NAME,
    description: 'hostile <&> "desc"',
    nodePath: '/Users/me/node dir/bin/node',
    svcEntry: '/Users/me/app & co/<svc>/bin/svc.js',
    configPath: '/Users/me/app & co/svc.config ]]> $X.json',
    workingDirectory: "/Users/me/app & co/it's",
    env: HOSTILE_ENV,
    stopTimeoutMs: 10_000,
    platform: 'launchd',
    homeDir: '/Users/me',
    uid: 501,
    ...overrides,
  };
}

describe('launchd plist', () => {
  it('parses with plistlib and round-trips ProgramArguments and EnvironmentVariables exactly', async () => {
    const dir = await dirs.make('svc-plist-');
    for (const system of [false, true]) {
      const definition = generate(options({ system, user: system ? 'www' : undefined, unitDir: dir }));
      const file = path.join(dir, `${system ? 'daemon' : 'agent'}.plist`);
      await import('node:fs/promises').then((fs) => fs.writeFile(file, definition.content));
      const { stdout } = await run('python3', ['-c', PARSE, file]);
      const parsed = JSON.parse(stdout);
      expect(parsed.ProgramArguments).toEqual([
        '/Users/me/node dir/bin/node',
        '/Users/me/app & co/<svc>/bin/svc.js',
        'run',
        '--config',
        '/Users/me/app & co/svc.config ]]> $X.json',
        '--',
        HOSTILE_NAME,
      ]);
      expect(parsed.EnvironmentVariables).toEqual(HOSTILE_ENV);
      expect(parsed.WorkingDirectory).toBe("/Users/me/app & co/it's");
      expect(parsed.KeepAlive).toEqual({ SuccessfulExit: false });
      expect(parsed.RunAtLoad).toBe(true);
      expect(parsed.ThrottleInterval).toBe(5);
      expect(parsed.ExitTimeOut).toBe(15);
      expect(parsed.Label).toBe(definition.serviceName);
      if (system) {
        expect(parsed.UserName).toBe('www');
        expect(parsed.StandardOutPath).toBe(`/Library/Logs/svc/${definition.serviceName}.out.log`);
      } else {
        expect(parsed).not.toHaveProperty('UserName');
        expect(parsed.StandardErrorPath).toBe(`/Users/me/Library/Logs/svc/${definition.serviceName}.err.log`);
      }
      // No shell anywhere: the program is node itself.
      expect(definition.content).not.toContain('/bin/sh');
    }
  });

  it('puts agents in ~/Library/LaunchAgents and daemons in /Library/LaunchDaemons', () => {
    expect(generate(options({ name: 'api' })).path).toBe('/Users/me/Library/LaunchAgents/svc-api.plist');
    expect(generate(options({ name: 'api', system: true, user: 'www' })).path).toBe('/Library/LaunchDaemons/svc-api.plist');
  });

  // launchctl does not exist on Linux: these tests check the commands built, through a recording runner.
  it('bootstraps into gui/<uid> on install, boots out on uninstall (launchctl simulated: no launchd here)', async () => {
    const dir = await dirs.make('svc-launchd-');
    const { runner, calls } = recordingRunner();
    const installer = createInstaller(options({ name: 'api', unitDir: dir, runner }));
    const result = await installer.install();
    expect(result.changed).toBe(true);
    const plistPath = path.join(dir, 'svc-api.plist');
    expect(await readFile(plistPath, 'utf8')).toBe(installer.generate().content);
    expect(calls).toEqual([
      { file: 'launchctl', args: ['enable', 'gui/501/svc-api'] },
      { file: 'launchctl', args: ['bootstrap', 'gui/501', plistPath] },
      { file: 'launchctl', args: ['print', 'gui/501/svc-api'] },
    ]);

    calls.length = 0;
    await installer.disable();
    expect(calls).toEqual([
      { file: 'launchctl', args: ['bootout', 'gui/501/svc-api'] },
      { file: 'launchctl', args: ['disable', 'gui/501/svc-api'] },
    ]);

    calls.length = 0;
    const removed = await installer.uninstall();
    expect(calls).toEqual([{ file: 'launchctl', args: ['bootout', 'gui/501/svc-api'] }]);
    expect(removed.files).toEqual([{ kind: 'remove', path: plistPath }]);
    expect(await installer.isInstalled()).toBe(false);
  });

  it('a changed plist is booted out and bootstrapped again; daemons use the system domain (simulated)', async () => {
    const dir = await dirs.make('svc-launchd-');
    const { runner, calls } = recordingRunner(({ args }) => (args[0] === 'bootout' ? { exitCode: 3, stderr: 'No such process' } : {}));
    await createInstaller(options({ name: 'api', system: true, user: 'www', unitDir: dir, runner })).install();
    calls.length = 0;
    const changed = await createInstaller(options({ name: 'api', system: true, user: 'www', unitDir: dir, runner, stopTimeoutMs: 1 })).install();
    expect(changed.changed).toBe(true);
    expect(calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['bootout system/svc-api', 'enable system/svc-api', 'bootstrap system', 'print system/svc-api']);
  });
});
