import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstaller, generate, isInstallerError, type InstallerOptions } from '../src/index.js';
import { recordingRunner, tempDirs } from './helpers.js';

// Windows, WinSW and sc.exe do not exist here: these tests check the generated XML and the command
// lines built, through a recording runner. Nothing here proves that Windows accepts them.

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** CommandLineToArgvW's rules (the MSVC runtime's, for arguments after the program name). */
function parseWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let hasArg = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else inQuotes = !inQuotes;
      } else {
        current += '\\'.repeat(n);
        i--;
      }
      hasArg = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      hasArg = true;
    } else if ((ch === ' ' || ch === '\t') && !inQuotes) {
      if (hasArg) args.push(current);
      current = '';
      hasArg = false;
    } else {
      current += ch;
      hasArg = true;
    }
  }
  if (hasArg) args.push(current);
  return args;
}

const NAME = `-we ird "q" 'a' ;#= ü \\`;
const ENV = { SPACES: ' a b ', QUOTES: `"x" 'y'`, MARKUP: '<&>', TRAILING: 'ends \\', EMPTY: '' };

function options(unitDir: string, overrides: Partial<InstallerOptions> = {}): InstallerOptions {
  return {
    name: NAME,
    description: 'desc <&> "q"',
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    svcEntry: 'C:\\Program Files\\svc\\bin\\run.js',
    configPath: 'C:\\Users\\Me\\My App\\svc.config "x".json',
    workingDirectory: 'C:\\Users\\Me\\My App\\',
    env: ENV,
    stopTimeoutMs: 10_000,
    system: true,
    platform: 'windows',
    unitDir,
    windowsWrapperPath: path.join(unitDir, 'WinSW-x64.exe'),
    ...overrides,
  };
}

describe('WinSW XML', () => {
  it('is well-formed and round-trips executable, arguments and env', async () => {
    const dir = await dirs.make('svc-win ');
    const { content } = generate(options(dir));
    expect(XMLValidator.validate(content)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, parseTagValue: false }).parse(content);
    const service = parsed.service;
    expect(service.executable).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(parseWindowsCommandLine(service.arguments)).toEqual([
      'C:\\Program Files\\svc\\bin\\run.js',
      'run',
      '--config',
      'C:\\Users\\Me\\My App\\svc.config "x".json',
      '--',
      NAME,
    ]);
    expect(service.workingdirectory).toBe('C:\\Users\\Me\\My App\\');
    expect(service.description).toBe('desc <&> "q"');
    const env = Object.fromEntries((service.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(env).toEqual(ENV);
    expect(service.stoptimeout).toBe('15 sec');
    expect(service.onfailure).toEqual({ action: 'restart', delay: '5 sec' });
  });

  it('rejects "%", which WinSW would expand, with EUNREPRESENTABLE', async () => {
    const dir = await dirs.make('svc-win-');
    for (const overrides of [{ name: 'a%PATH%b' }, { env: { A: '%USERPROFILE%' } }, { workingDirectory: 'C:\\100%' }]) {
      let error: unknown;
      try {
        generate(options(dir, overrides));
      } catch (caught) {
        error = caught;
      }
      expect(isInstallerError(error) && error.code).toBe('EUNREPRESENTABLE');
    }
  });
});

describe('Windows commands (sc.exe simulated)', () => {
  it('sc.exe create quotes a binPath with spaces, and install copies WinSW beside the XML', async () => {
    const dir = await dirs.make('svc win dir ');
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, 'WinSW-x64.exe'), 'MZ fake wrapper'));
    const { runner, calls } = recordingRunner(({ args }) => (args[0] === 'start' ? { exitCode: 1056 } : {}));
    const installer = createInstaller(options(dir, { runner }));
    const result = await installer.install();
    const id = installer.serviceName;
    const exe = path.join(dir, `${id}.exe`);
    expect(id).toMatch(/^svc-[A-Za-z0-9._-]+$/);
    expect(await readFile(exe, 'utf8')).toBe('MZ fake wrapper');
    expect(await readFile(path.join(dir, `${id}.xml`), 'utf8')).toBe(installer.generate().content);

    const create = calls[0]!;
    expect(create.file).toBe('sc.exe');
    expect(create.args.slice(0, 3)).toEqual(['create', id, 'binPath=']);
    // The value itself carries quotes, so the SCM does not try "C:\...\svc" as the program.
    expect(create.args[3]).toBe(`"${exe}"`);
    // The printed command line parses back to the same argv.
    const display = result.commands[0]!.display;
    expect(parseWindowsCommandLine(display)).toEqual(['sc.exe', ...create.args]);
    expect(calls.slice(1).map((c) => c.args[0])).toEqual(['description', 'config', 'start']);
    expect(calls.at(-2)!.args).toEqual(['config', id, 'start=', 'auto']);

    calls.length = 0;
    await installer.uninstall();
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([
      [exe, 'stop'],
      ['sc.exe', 'delete', id],
    ]);
    expect(await installer.isInstalled()).toBe(false);
  });

  it('warns that Windows services are machine-wide when system is false', async () => {
    const dir = await dirs.make('svc-win-');
    expect(generate(options(dir, { system: false })).warnings.map((w) => w.code)).toContain('WWINDOWS_SYSTEM_ONLY');
  });
});
