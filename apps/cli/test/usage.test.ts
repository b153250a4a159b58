import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from '@oclif/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPRETERS } from '../src/adhoc.js';
import { COMMANDS } from '../src/commands.js';
import { redactUrl } from '../src/commands/describe.js';
import { ERROR_CODES } from '../src/errors.js';
import { DAEMON_SIGNALS } from '../src/signals.js';
import { PM2_COMMANDS } from '../src/usage.js';
import { SVC, svc, type Result } from './helpers.js';

/*
 * Bad usage, every command: exit 2; with --json exactly one { error: { code: EUSAGE, … } } on
 * stdout and nothing on stderr; without it, a line or two on stderr, never oclif's internals.
 * Run in a directory with no config and a fresh SVC_HOME: nothing may start.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'svc-usage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = () => ({ SVC_HOME: path.join(dir, 'home'), HOME: path.join(dir, 'user-home') });

/** Runs many at a time (each is a Node process of its own). */
async function runAll(argvs: string[][]): Promise<Result[]> {
  const results: Result[] = new Array(argvs.length);
  let next = 0;
  const worker = async () => {
    while (next < argvs.length) {
      const i = next++;
      results[i] = await svc(argvs[i]!, { cwd: dir, env: env() });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return results;
}

function expectJsonUsage(argv: string[], result: Result): void {
  const what = `svc ${argv.join(' ')}`;
  expect(result.code, what).toBe(2);
  expect(result.stderr, what).toBe('');
  const body = JSON.parse(result.stdout) as { error: { code: string; message: string } };
  expect(Object.keys(body), what).toEqual(['error']);
  expect(body.error.code, what).toBe('EUSAGE');
  expect(body.error.message.length, what).toBeGreaterThan(5);
  // Not oclif's parse context (it carried package.json and home directories).
  expect(result.stdout.length, what).toBeLessThan(2_000);
}

function expectHumanUsage(argv: string[], result: Result): void {
  const what = `svc ${argv.join(' ')}`;
  expect(result.code, what).toBe(2);
  expect(result.stdout, what).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines.length, `${what}: ${result.stderr}`).toBeLessThanOrEqual(3);
  expect(lines[0], what).toMatch(/^Error: /);
  expect(result.stderr, what).toMatch(/--help/);
  expect(result.stderr, what).not.toMatch(/›|USAGE|\bat .*\.(js|ts):\d+/);
}

const ids = Object.keys(COMMANDS);
const words = (id: string) => id.split(':');
const requiredArgs = (command: Command.Class) => Object.values(command.args ?? {}).filter((a) => a.required).length;

describe('every command refuses bad usage the same way', () => {
  it('an unknown flag: exit 2, with --json one EUSAGE object on stdout, without it two lines on stderr', async () => {
    const argvs = ids.flatMap((id) => [
      [...words(id), '--bogus', '--json'],
      [...words(id), '--bogus'],
    ]);
    const results = await runAll(argvs);
    argvs.forEach((argv, i) => (argv.includes('--json') ? expectJsonUsage(argv, results[i]!) : expectHumanUsage(argv, results[i]!)));
  }, 120_000);

  it('a missing argument (every command that requires one) and extra arguments (every command)', async () => {
    const missing = ids.filter((id) => requiredArgs(COMMANDS[id]!) > 0).map((id) => [...words(id), '--json']);
    expect(missing.map((a) => a[0])).toEqual(expect.arrayContaining(['restart', 'reload', 'scale', 'install']));
    // `start` and `run` take a command after `--`, not bare extra words: those are refused too.
    const extra = ids.map((id) => [...words(id), ...Array.from({ length: requiredArgs(COMMANDS[id]!) }, () => 'api'), 'x1', 'x2', 'x3', '--json']);
    const argvs = [...missing, ...extra];
    const results = await runAll(argvs);
    argvs.forEach((argv, i) => expectJsonUsage(argv, results[i]!));
    const human = await runAll([['restart'], ['scale', 'api', 'x1', 'x2']]);
    human.forEach((r, i) => expectHumanUsage([['restart'], ['scale']][i]!, r));
  }, 120_000);

  it('values the parser cannot check: svc scale out of range, svc stop with no name', async () => {
    const [scale, scaleHuman, stop, del] = await runAll([['scale', 'api', '99', '--json'], ['scale', 'api', '0'], ['stop', '--json'], ['delete', '--json']]);
    expectJsonUsage(['scale', 'api', '99'], scale!);
    expect(JSON.parse(scale!.stdout).error.message).toBe('instances must be 1–64 (got 99)');
    expectHumanUsage(['scale', 'api', '0'], scaleHuman!);
    expect(scaleHuman!.stderr).toMatch(/^Error: instances must be 1–64 \(got 0\)\nSee: svc scale --help\n$/);
    expectJsonUsage(['stop'], stop!);
    // `delete` is `stop` (PM2's word): the same refusal.
    expectJsonUsage(['delete'], del!);
    expect(JSON.parse(del!.stdout).error.message).toBe(JSON.parse(stop!.stdout).error.message);
  }, 60_000);
});

describe('PM2 habits', () => {
  it('ls, list and ps are svc status (its quick path and the command alike)', async () => {
    const [status, ls, list, ps, psHelp] = await runAll([['status', '--json'], ['ls', '--json'], ['list', '--json'], ['ps', '--json'], ['ps', '--help']]);
    for (const r of [status, ls, list, ps]) expect(r).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
    expect(psHelp!.code).toBe(0);
    expect(psHelp!.stdout).toContain('grouped by project');
  });

  it('an unknown command is EUSAGE; a PM2 command svc does not have says the svc way', async () => {
    const [bogus, bogusHuman, save, startup, monit] = await runAll([['bogus', '--json'], ['bogus'], ['save'], ['startup', '--json'], ['monit']]);
    expectJsonUsage(['bogus'], bogus!);
    expect(JSON.parse(bogus!.stdout).error.message).toBe('command bogus not found');
    expect(bogusHuman).toMatchObject({ code: 2, stdout: '', stderr: 'Error: command bogus not found\nsvc --help lists every command\n' });
    expect(save).toMatchObject({ code: 2, stderr: `Error: command save not found\n${PM2_COMMANDS.save}\n` });
    expect(save!.stderr).toContain('svc install');
    expectJsonUsage(['startup'], startup!);
    expect(JSON.parse(startup!.stdout).error.hint).toBe(PM2_COMMANDS.startup);
    expect(monit!.stderr).toContain('svc logs -f');
  });

  it('svc start all / svc stop all are --all, and no service may be named all', async () => {
    const [stopAll, stopFlag] = await runAll([['stop', 'all', '--json'], ['stop', '--all', '--json']]);
    expect(stopAll).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(stopAll!.stdout)).toEqual(JSON.parse(stopFlag!.stdout));
    const adhoc = await svc(['start', 'all', '--json', '--', process.execPath, '-e', '0'], { cwd: dir, env: env() });
    expectJsonUsage(['start', 'all', '--', 'node'], adhoc);
    expect(JSON.parse(adhoc.stdout).error.message).toContain('cannot be named all');
    const project = mkdtempSync(path.join(dir, 'project-'));
    writeFileSync(path.join(project, 'svc.config.json'), JSON.stringify({ services: { all: { command: 'node' } } }));
    const validate = await svc(['config', 'validate', '--json'], { cwd: project, env: env() });
    expect(validate.code).toBe(1);
    expect(JSON.parse(validate.stdout).error.problems).toEqual([expect.objectContaining({ path: 'services.all' })]);
  });
});

describe('an older Node', () => {
  it('is refused in one line saying what to do, before anything loads (no oclif warning), --json alike', () => {
    // The machine's own Node when it is older than 22 (Debian's is 20); else this Node made to
    // report 20.1.0 by a preload, which the check reads the same way.
    const system = '/usr/bin/node';
    let major = 0;
    try {
      major = Number(execFileSync(system, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
    } catch {
      // No system Node here.
    }
    const old = major > 0 && major < 22 ? { bin: system, pre: [] as string[] } : { bin: process.execPath, pre: ['--import', "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.1.0'})"] };
    const run = (args: string[]) => {
      try {
        execFileSync(old.bin, [...old.pre, SVC, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env() } });
        return { code: 0, stdout: '', stderr: '' };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { code: e.status, stdout: e.stdout, stderr: e.stderr };
      }
    };
    const human = run(['status']);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^Error: svc needs Node ≥ 22, this is 20\.\d+\.\d+ \(.*\)\ninstall Node 22 or newer .*\n$/);
    const json = run(['start', 'api', '--json']);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const body = JSON.parse(json.stdout) as { error: { code: string } };
    expect(body.error.code).toBe('ENODE_VERSION');
    expect(ERROR_CODES).toContain(body.error.code);
  });
});

describe('help that matches the code', () => {
  it('every flag that takes a value states its default (oclif shows a declared default itself)', () => {
    const missing: string[] = [];
    for (const [id, command] of Object.entries(COMMANDS)) {
      for (const [name, flag] of Object.entries({ ...command.baseFlags, ...command.flags })) {
        if (flag.type === 'boolean' || flag.default !== undefined) continue;
        if (!/\bdefault\b/.test(flag.description ?? '')) missing.push(`${id} --${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every topic has a description of its own, not one of its commands’ summaries, and svc --help shows it', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { oclif: { topics: Record<string, { description: string }> } };
    const topics = [...new Set(ids.filter((id) => id.includes(':')).map((id) => id.split(':')[0]!))];
    expect(Object.keys(pkg.oclif.topics).sort()).toEqual([...topics].sort());
    const summaries = Object.values(COMMANDS).map((command) => command.summary);
    const help = await svc(['--help'], { env: env() });
    expect(help.code).toBe(0);
    const oneLine = help.stdout.replace(/\s+/g, ' ');
    for (const topic of topics) {
      const { description } = pkg.oclif.topics[topic]!;
      expect(summaries, topic).not.toContain(description);
      expect(oneLine, topic).toContain(` ${topic} ${description}`);
    }
  });

  it('svc start --help names every extension a script is run by an interpreter for', async () => {
    const help = await svc(['start', '--help'], { env: env() });
    const oneLine = help.stdout.replace(/\s+/g, ' ');
    for (const [ext, interpreter] of Object.entries(INTERPRETERS)) {
      const name = interpreter === process.execPath ? 'node' : interpreter;
      expect(oneLine, ext).toMatch(new RegExp(`${name} for [.\\w ]*\\${ext}\\b`));
    }
  });

  it('SIGHUP and SIGTERM are described in the same words by svc run, svc daemon run and docs/cli.md', async () => {
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    for (const command of [['run'], ['daemon', 'run']]) {
      const help = await svc([...command, '--help'], { env: env() });
      expect(oneLine(help.stdout), command.join(' ')).toContain(DAEMON_SIGNALS);
      // What the daemon does on SIGHUP (foreground.ts: currentDefinition) is a reload, not a restart.
      expect(oneLine(help.stdout), command.join(' ')).toMatch(/SIGHUP reloads every running service/);
      expect(oneLine(help.stdout), command.join(' ')).not.toMatch(/SIGHUP restarts/);
    }
    const page = readFileSync(path.resolve(import.meta.dirname, '../../../docs/cli.md'), 'utf8');
    const rows = page.split('\n').filter((line) => /^\| `svc (daemon )?run/.test(line));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toContain(DAEMON_SIGNALS);
  });

  it('help piped into a reader that stops early (svc run --help | head -1) ends quietly, exit 0', async () => {
    const child = spawn(process.execPath, [SVC, 'run', '--help'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The reader takes the first chunk and goes away, as head does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('svc describe', () => {
  it('masks the password of a lock URL, and only that', () => {
    expect(redactUrl('redis://app:s3cret@db.internal:6379/0')).toBe('redis://app:***@db.internal:6379/0');
    expect(redactUrl('postgres://svc:p%40ss@10.0.0.2/locks')).toBe('postgres://svc:***@10.0.0.2/locks');
    expect(redactUrl('redis://db.internal:6379')).toBe('redis://db.internal:6379');
    expect(redactUrl('rediss://:token@cache:6380')).toBe('rediss://:***@cache:6380');
  });
});
